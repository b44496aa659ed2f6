/**
 * The image versions' state machine, as pure functions over the state file's content: every
 * transition either returns the next state or throws a refusal (StepError "refused") that says
 * why in words, before anything on the host is changed. helper/storage/images.ts does the I/O.
 *
 *   (none) ──update──▶ copying ──copied──▶ ready ──publish──▶ publishing ──renamed──▶ (none), vN current
 *      ▲                  │                  │
 *      └─────discard──────┴──────────────────┘      (a copying draft of a dead process: deleted by repair)
 */
import path from "node:path";
import { IMAGE_REFUSED } from "../../lib/host/images";
import { StepError } from "../../lib/host/step-error";

export interface VersionRecord {
  n: number;
  path: string;
  sizeBytes: number;
  createdAt: number;
}

export interface DraftRecord {
  n: number;
  path: string;
  machine: number;
  /** publishing: the draft is complete, fsynced and read-only; the rename to its version file may or may not have happened. */
  state: "copying" | "ready" | "publishing";
  startedAt: number;
  /** The process copying it (a copying draft whose process is gone is deleted by repair). */
  pid: number;
  method: "reflink" | "copy" | null;
}

export interface ImageState {
  format: 1;
  versions: VersionRecord[];
  current: number;
  /** The next version number: numbers are never reused, so the app's comments stay with their version. */
  next: number;
  draft: DraftRecord | null;
  /** The version each PC's COW sits on, by machine id (written when its snapshot is built over it). */
  pcs: Record<string, number>;
}

export const refuse = (message: string): never => {
  throw new StepError(IMAGE_REFUSED, message);
};

/** The file of version n: `<imageDir>/<master name>.v<n>.img` (v1 is the configured master itself). */
export function versionPath(imageDir: string, master: string, n: number): string {
  const base = path.posix.basename(master).replace(/\.img$/, "");
  return path.posix.join(imageDir, `${base}.v${n}.img`);
}

export const draftPath = (imageDir: string, master: string, n: number) => versionPath(imageDir, master, n).replace(/\.img$/, ".draft");

/** No state file yet: the existing master is v1 (no copy), and every PC sits on it. */
export function initialState(master: string, sizeBytes: number, createdAt: number, machineIds: readonly number[]): ImageState {
  return {
    format: 1,
    versions: [{ n: 1, path: master, sizeBytes, createdAt }],
    current: 1,
    next: 2,
    draft: null,
    pcs: Object.fromEntries(machineIds.map((id) => [String(id), 1])),
  };
}

/** Validates a parsed state file; throws on anything that is not one. */
export function checkState(value: unknown): ImageState {
  const s = value as ImageState;
  const int = (n: unknown) => Number.isSafeInteger(n) && (n as number) > 0;
  const ok =
    !!s &&
    s.format === 1 &&
    Array.isArray(s.versions) &&
    s.versions.length > 0 &&
    s.versions.every(
      (v) => int(v?.n) && typeof v.path === "string" && v.path.startsWith("/") && Number.isSafeInteger(v.sizeBytes) && Number.isSafeInteger(v.createdAt),
    ) &&
    s.versions.some((v) => v.n === s.current) &&
    int(s.next) &&
    s.versions.every((v) => v.n < s.next) &&
    (s.draft === null ||
      (int(s.draft?.n) && typeof s.draft.path === "string" && int(s.draft.machine) && ["copying", "ready", "publishing"].includes(s.draft.state))) &&
    typeof s.pcs === "object" &&
    s.pcs !== null &&
    Object.values(s.pcs).every(int);
  if (!ok) throw new Error("the image state file is not valid");
  return s;
}

export function version(s: ImageState, n: number): VersionRecord | undefined {
  return s.versions.find((v) => v.n === n);
}

export function currentVersion(s: ImageState): VersionRecord {
  return version(s, s.current)!;
}

export function versionAt(s: ImageState, file: string): number | null {
  return s.versions.find((v) => v.path === file)?.n ?? null;
}

/** Update mode on one PC: refused while another draft exists. The copy comes next (state copying). */
export function beginUpdate(s: ImageState, machine: number, files: { imageDir: string; master: string }, now: number, pid: number): ImageState {
  if (s.draft) {
    const d = s.draft;
    refuse(`an update is already in progress (v${d.n} on PC ${d.machine}, ${d.state}): publish or discard it first`);
  }
  const n = s.next;
  return { ...s, next: n + 1, draft: { n, path: draftPath(files.imageDir, files.master, n), machine, state: "copying", startedAt: now, pid, method: null } };
}

export function copied(s: ImageState, method: "reflink" | "copy"): ImageState {
  if (s.draft?.state !== "copying") return refuse("there is no draft being copied (was it discarded?)");
  return { ...s, draft: { ...s.draft, state: "ready", method } };
}

function readyDraft(s: ImageState, what: string): DraftRecord {
  if (!s.draft) return refuse(`there is no update in progress to ${what}: start one on a PC first`);
  if (s.draft.state === "copying")
    return refuse(`v${s.draft.n} is still being copied: wait for the copy to finish${what === "discard" ? "" : ", then " + what + " it"}`);
  return s.draft;
}

/** Publish, first half: the draft is complete and read-only; the rename comes next (repair finishes it). */
export function beginPublish(s: ImageState): ImageState {
  const d = readyDraft(s, "publish");
  return { ...s, draft: { ...d, state: "publishing" } };
}

/** Publish, second half: the version file is in place; it becomes current. */
export function completePublish(s: ImageState, file: string, sizeBytes: number, now: number): ImageState {
  const d = s.draft;
  if (d?.state !== "publishing") return refuse("no publish in progress");
  return { ...s, versions: [...s.versions, { n: d.n, path: file, sizeBytes, createdAt: now }], current: d.n, draft: null };
}

/** Discard: the draft goes (a copy still running is stopped by its own process when it sees this). */
export function discard(s: ImageState): ImageState {
  if (!s.draft) return refuse("there is no update in progress to discard");
  if (s.draft.state === "publishing") return refuse(`v${s.draft.n} is being published: run 'cowherd-helper repair' to finish it`);
  return { ...s, draft: null };
}

/** Rollback (or roll forward): PCs move to it at their next reset. */
export function setCurrent(s: ImageState, n: number): ImageState {
  if (!version(s, n)) return refuse(`there is no v${n} (versions: ${s.versions.map((v) => `v${v.n}`).join(", ")})`);
  return { ...s, current: n };
}

/** Deleting a version: never the current one, never one a PC sits on. */
export function deleteVersion(s: ImageState, n: number, usedBy: readonly number[]): ImageState {
  if (!version(s, n)) return refuse(`there is no v${n} (versions: ${s.versions.map((v) => `v${v.n}`).join(", ")})`);
  if (s.current === n) return refuse(`v${n} is the current version: make another one current first`);
  if (usedBy.length) return refuse(`v${n} is in use by ${usedBy.length === 1 ? "PC" : "PCs"} ${usedBy.join(", ")}: they move off it at their next reset`);
  if (s.versions.length === 1) return refuse("the only version cannot be deleted");
  return { ...s, versions: s.versions.filter((v) => v.n !== n) };
}

/** Retention: versions beyond the newest `keep` that are neither current nor in use, oldest first. */
export function expired(s: ImageState, keep: number, used: (n: number) => boolean): number[] {
  const newestFirst = [...s.versions].sort((a, b) => b.n - a.n);
  return newestFirst
    .slice(keep)
    .filter((v) => v.n !== s.current && !used(v.n))
    .map((v) => v.n)
    .reverse();
}

export function recordPc(s: ImageState, id: number, n: number): ImageState {
  return s.pcs[String(id)] === n ? s : { ...s, pcs: { ...s.pcs, [String(id)]: n } };
}
