import type { Config, DiskKind } from "../lib/config/schema";
import { HELPER_EXIT, HELPER_VERSION, type HelperOutput, type PcResult } from "../lib/host/protocol";
import { errorText, stepOf } from "../lib/host/step-error";
import type { HostImages } from "../lib/host/images";
import type { MachineHostStatus, ResetReport, StoreSpace } from "../lib/host/types";
import type { Parsed } from "./args";

/** What the verbs need from the storage host (helper/storage/), one-shot and agent alike. */
export interface StorageVerbs {
  /** Reads only: never changes anything. */
  status(): Promise<{ machines: MachineHostStatus[]; images?: HostImages; groups?: HostImages[] }>;
  /** Free space of the filesystems holding the COW files (statfs: no process). */
  stores(): StoreSpace[];
  /**
   * The image verbs but update act on a group's versions: `group` (default the first), of its
   * system disk or (`disk` "game") its game disk; update on its PC's group's.
   */
  imageList(group?: string, disk?: "game"): Promise<HostImages>;
  imageUpdate(id: number, onStep: (id: number, step: string) => void, disk?: "game"): Promise<HostImages>;
  imagePublish(group?: string, disk?: "game"): Promise<HostImages>;
  imageDiscard(group?: string, disk?: "game"): Promise<HostImages>;
  imageCurrent(n: number, group?: string, disk?: "game"): Promise<HostImages>;
  imageDelete(n: number, group?: string, disk?: "game"): Promise<HostImages>;
  /**
   * Refuses (failedStep "online") a PC with an open iSCSI session unless `force`. `disk`: that disk
   * only; absent, every disk each PC has (the game disk's steps named "game:…").
   */
  reset(ids: number[], onStep: (id: number, step: string) => void, opts?: { force?: boolean; disk?: DiskKind }): Promise<ResetReport[]>;
  up(ids: number[]): Promise<PcResult[]>;
  down(ids: number[]): Promise<PcResult[]>;
  /** Refused (step "changed") when `expectSectors` is given and the COW is no longer that size. */
  grow(id: number, mib: number, expectSectors?: number, disk?: DiskKind): Promise<{ totalSectors: number }>;
  /** Brings PCs left half done by a dead process (or in any half state) back to a consistent one. */
  repair(ids: number[]): Promise<PcResult[]>;
}

export interface VerbResult {
  code: number;
  output: HelperOutput;
}

const allOk = (rs: { ok: boolean }[]) => rs.every((r) => r.ok);

/** Runs one parsed verb: the same code for `cowherd-helper <verb>` and an agent request. */
export async function runVerb(
  parsed: Exclude<Parsed, { verb: "serve" }>,
  config: Config,
  storage: StorageVerbs,
  onStep: (id: number, step: string) => void,
): Promise<VerbResult> {
  const all = () => config.machines.map((m) => m.id);
  try {
    switch (parsed.verb) {
      case "version":
        return { code: HELPER_EXIT.ok, output: { ok: true, verb: "version", version: HELPER_VERSION } };
      case "status":
        return { code: HELPER_EXIT.ok, output: { ok: true, verb: "status", ...(await storage.status()), stores: storage.stores() } };
      case "images":
      case "image-update":
      case "image-publish":
      case "image-discard":
      case "image-current":
      case "image-delete": {
        try {
          const images = await imageVerb(parsed, storage, onStep);
          return { code: HELPER_EXIT.ok, output: { ok: true, verb: parsed.verb, images } };
        } catch (e) {
          return { code: HELPER_EXIT.failed, output: { ok: false, verb: parsed.verb, step: stepOf(e, "image"), error: errorText(e) } };
        }
      }
      case "reset": {
        const reports = await storage.reset(parsed.ids, onStep, { force: parsed.force, ...(parsed.disk ? { disk: parsed.disk } : {}) });
        const ok = allOk(reports);
        return { code: ok ? HELPER_EXIT.ok : HELPER_EXIT.failed, output: { ok, verb: "reset", reports } };
      }
      case "repair":
      case "up":
      case "down": {
        const machines =
          parsed.verb === "repair"
            ? await storage.repair(all())
            : parsed.verb === "down"
              ? await storage.down(parsed.ids)
              : await storage.up(parsed.ids === "all" ? all() : parsed.ids);
        const ok = allOk(machines);
        return { code: ok ? HELPER_EXIT.ok : HELPER_EXIT.failed, output: { ok, verb: parsed.verb, machines } };
      }
      case "grow": {
        try {
          const { totalSectors } = await storage.grow(parsed.id, parsed.mib, parsed.expectSectors, parsed.disk);
          return { code: HELPER_EXIT.ok, output: { ok: true, verb: "grow", id: parsed.id, totalSectors } };
        } catch (e) {
          const step = stepOf(e, "grow");
          return {
            code: step === "validate" ? HELPER_EXIT.usage : HELPER_EXIT.failed,
            output: { ok: false, verb: "grow", id: parsed.id, step, error: errorText(e) },
          };
        }
      }
    }
  } catch (e) {
    return { code: HELPER_EXIT.host, output: { ok: false, error: { code: "host", message: errorText(e), step: stepOf(e, "host") } } };
  }
}

type ImageParsed = Extract<Parsed, { verb: "images" | "image-update" | "image-publish" | "image-discard" | "image-current" | "image-delete" }>;

function imageVerb(p: ImageParsed, storage: StorageVerbs, onStep: (id: number, step: string) => void): Promise<HostImages> {
  switch (p.verb) {
    case "images":
      return storage.imageList(p.group, p.disk);
    case "image-update":
      return storage.imageUpdate(p.id, onStep, p.disk);
    case "image-publish":
      return storage.imagePublish(p.group, p.disk);
    case "image-discard":
      return storage.imageDiscard(p.group, p.disk);
    case "image-current":
      return storage.imageCurrent(p.n, p.group, p.disk);
    case "image-delete":
      return storage.imageDelete(p.n, p.group, p.disk);
  }
}
