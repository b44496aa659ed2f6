import path from "node:path";
import type { Config, Machine } from "../config/schema";
import { conditionKey, type EventLog } from "../events/event-log";
import { errorText, stepOf } from "../host/step-error";
import type { MachinesView, MachineView } from "../status/machines-view";
import type { Room } from "../status/room";
import { decideExtend, reserveAllows } from "./autoextend-policy";

const MiB = 1024 * 1024;
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
      if (v.state !== "ok" || v.usedSectors === null || v.totalSectors === null || failing.has(v.host)) continue;
      if (this.inflight.has(v.id) || this.busy(v.id) || (this.retryAt.get(v.id) ?? 0) > this.now()) continue;
      const m = this.byId.get(v.id)!;
      const d = decideExtend({ usedSectors: v.usedSectors, totalSectors: v.totalSectors, maxCowSizeMiB: m.maxCowSizeMiB }, this.config.autoextend);
      if (d.action !== "grow") continue;
      started.push(this.grow(m, v, d.toMiB, { by: null, percent: d.percent }));
    }
    return Promise.all(started);
  }

  /** Waits for grows in flight (tests, shutdown). */
  busyIds(): number[] {
    return [...this.inflight];
  }

  /** Grow by hand (an admin on the card): the same checks, recorded as `grow`. */
  growByHand(id: number, toMiB: number, by: string, v: MachineView): Promise<GrowResult> {
    return this.grow(this.byId.get(id)!, v, toMiB, { by, percent: v.percent ?? 0 });
  }

  private async grow(
    m: Machine,
    v: Pick<MachineView, "totalSectors" | "usedSectors">,
    toMiB: number,
    how: { by: string | null; percent: number },
  ): Promise<GrowResult> {
    const fromMiB = Math.round((v.totalSectors ?? m.cowSizeMiB * 2048) / 2048);
    const refusedKey = conditionKey("autoextend-refused", `pc:${m.id}`);
    const pc = { machineId: m.id, machineName: m.name, host: m.host };
    const refuse = (step: string, error: string): GrowResult => {
      this.retryAt.set(m.id, this.now() + RETRY_MS);
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
    this.inflight.add(m.id);
    try {
      const { totalSectors } = await this.room.host(m.host).grow(m.id, toMiB, v.totalSectors ?? undefined);
      this.retryAt.delete(m.id);
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
      this.inflight.delete(m.id);
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
