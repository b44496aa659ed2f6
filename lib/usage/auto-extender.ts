import path from "node:path";
import type { Config, DiskKind, Machine } from "../config/schema";
import { conditionKey, diskScope, type EventLog } from "../events/event-log";
import { errorText, stepOf } from "../host/step-error";
import type { MachinesView, MachineView } from "../status/machines-view";
import type { Room } from "../status/room";
import { decideExtend, reserveAllows } from "./autoextend-policy";

const MiB = 1024 * 1024;

/** A disk's key in the in-flight and retry maps: the PC's id, or minus it for its game disk. */
const diskKey = (id: number, disk: DiskKind) => (disk === "game" ? -id : id);
/** After a refusal (the store's reserve), the PC is tried again this much later: space may have been freed. */
const RETRY_MS = 60_000;

export interface GrowResult {
  ok: boolean;
  fromMiB: number;
  toMiB: number;
  totalSectors?: number;
  step?: string;
  error?: string;
}

/**
 * Online auto-extend, from each look at the room (lib/events/room-watch.ts): a PC past
 * autoextend.threshold grows by autoextend.percent (lvm2's rule, autoextend-policy.ts) up to its
 * maxCowSizeMiB. The store's space is checked first where the host reports it (and always by the
 * helper, which refuses to allocate into storage.reserveMiB); a refusal raises one event that stays
 * open until the PC is back under the threshold, and the PC is tried again a minute later. Grow
 * (the card's action) goes through here too, so both are recorded alike.
 */
export class AutoExtender {
  /** Keyed by disk: the PC's id for its system disk, minus its id for its game disk (both may grow at once). */
  private readonly inflight = new Set<number>();
  private readonly retryAt = new Map<number, number>();
  private readonly byId: Map<number, Machine>;

  constructor(
    private readonly config: Config,
    private readonly room: Room,
    private readonly events: EventLog,
    private readonly busy: (id: number) => boolean,
    private readonly now: () => number = Date.now,
    private readonly log: (line: string) => void = (line) => console.error(line),
  ) {
    this.byId = new Map(config.machines.map((m) => [m.id, m]));
  }

  get enabled(): boolean {
    return this.config.autoextend.threshold < 100;
  }

  /** Starts a grow for every PC that needs one (not waited for: a slow host never holds up the watch). */
  observe(view: MachinesView): Promise<GrowResult[]> {
    if (!this.enabled) return Promise.resolve([]);
    const failing = new Set(view.hosts.filter((h) => h.failing).map((h) => h.name));
    const started: Promise<GrowResult>[] = [];
    for (const v of view.machines) {
      if (failing.has(v.host) || this.busy(v.id)) continue;
      const m = this.byId.get(v.id)!;
      const disks = [
        { disk: "system" as const, d: v, max: m.maxCowSizeMiB },
        ...(v.game && m.game ? [{ disk: "game" as const, d: v.game, max: m.game.maxCowSizeMiB }] : []),
      ];
      for (const { disk, d, max } of disks) {
        if (d.state !== "ok" || d.usedSectors === null || d.totalSectors === null) continue;
        const k = diskKey(v.id, disk);
        if (this.inflight.has(k) || (this.retryAt.get(k) ?? 0) > this.now()) continue;
        const x = decideExtend({ usedSectors: d.usedSectors, totalSectors: d.totalSectors, maxCowSizeMiB: max }, this.config.autoextend);
        if (x.action !== "grow") continue;
        started.push(this.grow(m, d, x.toMiB, { by: null, percent: x.percent }, disk));
      }
    }
    return Promise.all(started);
  }

  /** Waits for grows in flight (tests, shutdown): the PCs with a disk growing. */
  busyIds(): number[] {
    return [...new Set([...this.inflight].map(Math.abs))];
  }

  /** Grow by hand (an admin on the card): the same checks, recorded as `grow`. */
  growByHand(id: number, toMiB: number, by: string, v: MachineView, disk: DiskKind = "system"): Promise<GrowResult> {
    const d = disk === "game" ? v.game : v;
    if (!d) return Promise.resolve({ ok: false, fromMiB: 0, toMiB, step: "validate", error: `${v.name} has no game disk` });
    return this.grow(this.byId.get(id)!, d, toMiB, { by, percent: d.percent ?? 0 }, disk);
  }

  private async grow(
    pcOf: Machine,
    v: Pick<MachineView, "totalSectors" | "usedSectors">,
    toMiB: number,
    how: { by: string | null; percent: number },
    disk: DiskKind = "system",
  ): Promise<GrowResult> {
    // The disk's own COW, sizes and words: the PC's, or its game disk's.
    const m = disk === "game" && pcOf.game ? { ...pcOf, ...pcOf.game, name: `${pcOf.name}'s game disk` } : pcOf;
    const k = diskKey(m.id, disk);
    const fromMiB = Math.round((v.totalSectors ?? m.cowSizeMiB * 2048) / 2048);
    const refusedKey = conditionKey("autoextend-refused", diskScope(m.id, disk));
    const pc = { machineId: m.id, machineName: pcOf.name, host: m.host };
    const refuse = (step: string, error: string): GrowResult => {
      this.retryAt.set(k, this.now() + RETRY_MS);
      if (how.by === null)
        this.noting("its refusal", () =>
          this.events.raise({
            ...pc,
            key: refusedKey,
            kind: "autoextend-refused",
            message: `${m.name} is ${Math.round(how.percent)} % full and could not grow from ${fromMiB} to ${toMiB} MiB: ${error}`,
            detail: { step, fromMiB, toMiB },
          }),
        );
      return { ok: false, fromMiB, toMiB, step, error };
    };
    // The app's own look at the store first (no helper call when it already shows no room).
    const store = this.room.service(m.id).lastGood?.stores?.find((s) => s.dir === path.posix.dirname(m.cowPath));
    if (store && !reserveAllows(store.freeBytes, (toMiB - fromMiB) * MiB, store.reserveBytes)) {
      return refuse(
        "space",
        `not enough space for growing ${m.name}'s COW to ${toMiB} MiB: ${Math.floor(store.freeBytes / MiB)} MiB free on ${store.dir}, ${toMiB - fromMiB} MiB needed plus the ${store.reserveBytes / MiB} MiB reserve (storage.reserveMiB)`,
      );
    }
    this.inflight.add(k);
    try {
      const { totalSectors } = await this.room.host(m.host).grow(m.id, toMiB, v.totalSectors ?? undefined, disk);
      this.retryAt.delete(k);
      // The PC did grow: a failure to write it down must not turn into a refusal.
      this.noting("the grow", () => this.events.clear(refusedKey));
      this.noting("the grow", () =>
        this.events.record({
          ...pc,
          kind: how.by ? "grow" : "autoextend",
          message: how.by
            ? `${how.by} grew ${m.name}'s COW from ${fromMiB} to ${toMiB} MiB (it was ${Math.round(how.percent)} % full)`
            : `${m.name} was ${Math.round(how.percent)} % full: its COW grew from ${fromMiB} to ${toMiB} MiB (auto-extend, up to ${m.maxCowSizeMiB} MiB)`,
          detail: { fromMiB, toMiB, percent: how.percent, by: how.by },
        }),
      );
      return { ok: true, fromMiB, toMiB, totalSectors };
    } catch (e) {
      return refuse(stepOf(e, "grow"), errorText(e));
    } finally {
      this.inflight.delete(k);
      this.room.invalidate(m.host);
    }
  }

  /**
   * Writes an event about a grow; the event log's failure (SQLite full or locked) is logged, never
   * thrown: it happens in a grow nobody waits for, whose rejection would otherwise go unhandled.
   */
  private noting(what: string, write: () => unknown): void {
    try {
      write();
    } catch (e) {
      this.log(`cowherd: auto-extend: could not record ${what} in the event log: ${errorText(e)}`);
    }
  }
}
