import type { Config, Machine } from "../config/schema";
import type { BootRepo } from "../db/boots";
import type { Initiator } from "../host/types";
import type { HostReading } from "../status/room";

export type BootState = "off" | "booting" | "online";

export interface BootInfo {
  state: BootState;
  since: number;
  bootId: number | null;
}

interface Tracked extends BootInfo {
  /** Sessions listed when the PC last fetched its boot script: from its previous life, not this boot. */
  stale: Set<string>;
  /** Since when no live session has been seen (while online): debounced before turning off. */
  goneSince: number | null;
}

/**
 * A PC's requests closer than this to the start of its newest boot belong to that boot. iPXE retries a
 * failed boot after ipxe.retrySeconds (5 s at least) and a PC's restart takes longer than this, so
 * only repeats and floods fall inside: at most one boot row per PC per 5 s.
 */
export const BOOT_MIN_GAP_MS = 5_000;

const key = (i: Initiator) => i.session ?? `${i.iqn}|${i.ip ?? ""}`;

/**
 * Where each PC is in its boot: off → booting (it fetched its boot script) → online (an iSCSI
 * session of this boot is open) → off (the session gone for `offlineAfterSeconds`). Boots and boot
 * failures are recorded. A PC that loses power keeps its session in tgt (its keepalive is 30 min)
 * until it boots again: sessions already listed when it fetches its script are not this boot's.
 */
export class BootTracker {
  private readonly states = new Map<number, Tracked>();
  private readonly byId: Map<number, Machine>;

  constructor(
    private readonly config: Config,
    private readonly boots: BootRepo,
    private readonly now: () => number = Date.now,
  ) {
    this.byId = new Map(config.machines.map((m) => [m.id, m]));
  }

  private get(id: number): Tracked {
    let t = this.states.get(id);
    if (!t) this.states.set(id, (t = { state: "off", since: this.now(), bootId: null, stale: new Set(), goneSince: null }));
    return t;
  }

  /**
   * The PC fetched its boot script (an iPXE request). A new boot is recorded, and its listed
   * sessions become its last life's — unless the PC's newest boot began less than
   * BOOT_MIN_GAP_MS ago: then this fetch is that boot's repeat, counted on its row, and nothing
   * else changes (`repeat: true`; a pending reset is not tried again on a repeat).
   */
  booting(id: number, sessions: readonly Initiator[]): { bootId: number; repeat: boolean } {
    const t = this.get(id);
    const at = this.now();
    const last = this.boots.latest(id);
    if (last && at - last.startedAt < BOOT_MIN_GAP_MS) {
      this.boots.repeat(last.id);
      return { bootId: last.id, repeat: true };
    }
    const bootId = this.boots.start(id, this.byId.get(id)!.name, at);
    Object.assign(t, { state: "booting", since: at, bootId, stale: new Set(sessions.map(key)), goneSince: null });
    return { bootId, repeat: false };
  }

  /**
   * The PC reported that its boot failed (or its system returned to the boot loader): its newest
   * boot ends so. A report for a boot that has already ended is counted on that boot's row; a row
   * is added only for a failure with no boot of its own (the newest ended ok, BOOT_MIN_GAP_MS ago).
   */
  ended(id: number, result: "failed" | "returned", failedStep: string | null, error: string | null): void {
    const t = this.get(id);
    const at = this.now();
    const last = this.boots.latest(id);
    if (last?.result === "booting") this.boots.finish(last.id, { result, at, failedStep, error });
    else if (last && (last.result !== "ok" || at - last.startedAt < BOOT_MIN_GAP_MS)) this.boots.repeat(last.id);
    else if (result === "failed") this.boots.finish(this.boots.start(id, this.byId.get(id)!.name, at), { result, at, failedStep, error });
    Object.assign(t, { state: "off", since: at, goneSince: null });
  }

  /**
   * Sessions on the PC's target that are open in its current life: not listed when its boot began
   * (those are its previous life's, left open in the target, README "Booting the PCs" step 4), or
   * not from its own address (someone else has its disk open).
   */
  openSessions(id: number, sessions: readonly Initiator[]): Initiator[] {
    const t = this.get(id);
    const ip = this.byId.get(id)!.ip;
    return sessions.filter((s) => !t.stale.has(key(s)) || (s.ip !== undefined && s.ip !== ip));
  }

  /** Sessions from a status read: logins of this boot turn it online, their end turns it off. */
  observe(readings: readonly HostReading[]): void {
    const at = this.now();
    const { offlineAfterSeconds, bootTimeoutSeconds } = this.config.ipxe;
    for (const r of readings) {
      if (r.failing || !r.status) continue; // a host that does not answer says nothing about its PCs
      for (const s of r.status.machines) {
        const t = this.get(s.id);
        const listed = new Set(s.initiators.map(key));
        for (const k of t.stale) if (!listed.has(k)) t.stale.delete(k);
        const live = s.initiators.some((i) => !t.stale.has(key(i)));
        if (live) {
          if (t.state === "booting" && t.bootId !== null) this.boots.finish(t.bootId, { result: "ok", at });
          if (t.state !== "online") Object.assign(t, { state: "online", since: at });
          t.goneSince = null;
        } else if (t.state === "online") {
          t.goneSince ??= at;
          if (at - t.goneSince >= offlineAfterSeconds * 1000) Object.assign(t, { state: "off", since: t.goneSince, goneSince: null });
        } else if (t.state === "booting" && at - t.since > bootTimeoutSeconds * 1000) {
          if (t.bootId !== null)
            this.boots.finish(t.bootId, { result: "failed", at, failedStep: "login", error: `no iSCSI login within ${bootTimeoutSeconds} s` });
          Object.assign(t, { state: "off", since: at });
        }
      }
    }
  }

  info(id: number): BootInfo {
    const { state, since, bootId } = this.get(id);
    return { state, since, bootId };
  }

  /** Running or on its way up: a reset now would pull the disk from under it. */
  isUp(id: number): boolean {
    return this.get(id).state !== "off";
  }
}
