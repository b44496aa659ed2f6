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

  /** The PC fetched its boot script: a boot starts (recorded); its listed sessions are its last life's. */
  booting(id: number, sessions: readonly Initiator[]): number {
    const t = this.get(id);
    const at = this.now();
    const bootId = this.boots.start(id, this.byId.get(id)!.name, at);
    Object.assign(t, { state: "booting", since: at, bootId, stale: new Set(sessions.map(key)), goneSince: null });
    return bootId;
  }

  /** The PC reported that its boot failed (or its system returned to the boot loader). */
  ended(id: number, result: "failed" | "returned", failedStep: string | null, error: string | null): void {
    const t = this.get(id);
    const at = this.now();
    if (t.bootId !== null && this.boots.get(t.bootId)?.result === "booting") this.boots.finish(t.bootId, { result, at, failedStep, error });
    else if (result === "failed") this.boots.finish(this.boots.start(id, this.byId.get(id)!.name, at), { result, at, failedStep, error });
    Object.assign(t, { state: "off", since: at, goneSince: null });
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
          if (t.bootId !== null) this.boots.finish(t.bootId, { result: "failed", at, failedStep: "login", error: `no iSCSI login within ${bootTimeoutSeconds} s` });
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
