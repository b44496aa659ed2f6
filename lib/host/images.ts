/**
 * Master image versions as a storage host reports them: the read-only versions (v1, v2, …), the
 * current one (what every PC moves to at its next reset), and the draft of an update in progress
 * (a copy of the current version exported read-write to one PC). Shared by the helper, the
 * simulator and the web app. Comments and authors are the app's (SQLite), never the host's.
 */
import type { DiskKind } from "../config/schema";

export interface ImageVersion {
  n: number;
  sizeBytes: number;
  createdAt: number;
  /** Attached read-only on a loop device (a version stays attached while any PC uses it). */
  attached: boolean;
  /** The PCs whose COW sits on this version. */
  machines: number[];
}

export type DraftState = "copying" | "ready";

export interface ImageDraft {
  /** The version number it will get when published. */
  n: number;
  /** The update PC: the only one the update target is exported to. */
  machine: number;
  state: DraftState;
  startedAt: number;
  /** Copy progress (bytes of totalBytes); equal once ready. */
  copiedBytes: number;
  totalBytes: number;
  /** How the copy is made: "reflink" (blocks shared, instant) or "copy" (every block read and written). */
  method: "reflink" | "copy" | null;
  /** The update target's IQN (exported to the update PC only, while ready). */
  iqn: string;
  /** The update PC has a session on the update target: it must shut down before publish or discard. */
  online: boolean;
}

export interface HostImages {
  /** The PC group these versions are of (absent from helpers that predate groups: the one group). */
  group?: string;
  /** Which of the group's disks: absent for the system disk, "game" for its game disk. */
  disk?: "game";
  current: number;
  versions: ImageVersion[];
  draft: ImageDraft | null;
  /** How many versions are kept (storage.keepVersions): older unused ones go at publish. */
  keep: number;
}

/** `group`: whose versions (the helper's default, the first group, when absent); an update's is its PC's. */
export type ImageOp =
  | { op: "update"; machine: number; disk?: "game" }
  | { op: "publish"; group?: string; disk?: "game" }
  | { op: "discard"; group?: string; disk?: "game" }
  | { op: "current"; version: number; group?: string; disk?: "game" }
  | { op: "delete"; version: number; group?: string; disk?: "game" };

/** The helper verb and argv of each operation (plain decimals and a configured group name only: the helper trusts nothing else). */
export function imageArgs(op: ImageOp): string[] {
  // Options in the one order the helper takes them: `--group <g>` then `--disk game`, last.
  const disk = op.disk === "game" ? ["--disk", "game"] : [];
  if (op.op === "update") return ["image-update", String(op.machine), ...disk];
  const group = [...(op.group !== undefined ? ["--group", op.group] : []), ...disk];
  switch (op.op) {
    case "publish":
      return ["image-publish", ...group];
    case "discard":
      return ["image-discard", ...group];
    case "current":
      return ["image-current", String(op.version), ...group];
    case "delete":
      return ["image-delete", String(op.version), ...group];
  }
}

/** The step name a refused image operation carries (a request that cannot be done as things stand). */
export const IMAGE_REFUSED = "refused";

/** The update target's IQN on a host. */
export const updateIqn = (iqnPrefix: string) => `${iqnPrefix}:update`;

/** Target id of the update target: above every machine id (1–999), which are the PCs' tids. */
export const UPDATE_TID = 1000;

/**
 * Another group's update target (the group on storage.master keeps UPDATE_TID and `:update`, so a
 * host's existing draft stays where it is): its tid comes from its name, not its place in the
 * list, so reordering groups never moves a live target; two names that land on one tid are a
 * config error (rename one).
 */
export function groupUpdateTarget(iqnPrefix: string, group: string): { tid: number; iqn: string; name: string } {
  let h = 0x811c9dc5;
  for (const c of group) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return { tid: UPDATE_TID + 1 + (h % 8999), iqn: `${iqnPrefix}:update-${group}`, name: `cowherd-update-${group}` };
}

/** Every group's versions a host reported: `groups`, or from a helper before groups its one `images`. */
export function groupImages(status: { images?: HostImages; groups?: HostImages[] } | null | undefined): HostImages[] {
  return status?.groups ?? (status?.images ? [status.images] : []);
}

/** The versions of one group's disk on a host: by name; a report without a group name is the first group's system disk. */
export function imagesOfGroup(
  status: { images?: HostImages; groups?: HostImages[] } | null | undefined,
  group: string,
  firstGroup: string,
  disk: DiskKind = "system",
): HostImages | undefined {
  return groupImages(status).find((g) => (g.group ?? firstGroup) === group && (g.disk ?? "system") === disk);
}
