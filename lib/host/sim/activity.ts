import type { Machine } from "../../config/schema";

/**
 * What the simulated room's PCs do over a day, through nothing but their storage host's narrow port
 * (write new data, open or close a session) and the boot route a real PC takes (`fetchBootScript`:
 * the same handler an iPXE fetch reaches, so boots, resets at next boot and boot history are real).
 *
 * A believable room: each running PC writes a few MiB/min at most, less and less as its working set
 * is already in its COW (pagefile, temp files, profiles are rewritten, not new); now and then a burst
 * (a game install, an update) writes new data fast; PCs are shut down and switched on again now and
 * then, and boot when woken. One PC (id 7) keeps filling slowly so warnings can be seen; deaths take
 * a burst on a PC already well filled, so they are rare events.
 */

/**
 * All the simulated PCs do to their storage: write new data through their snapshot, open or close
 * their iSCSI session, and what a PC knows of itself. The simulated kernel is behind it
 * (demo-host.ts), at the level a real PC reaches: its snapshot device and its target.
 */
export interface SimPcPort {
  /** The PC wrote `bytes` of new data (blocks its COW does not hold yet). */
  writeBytes(id: number, bytes: number): void;
  /** It booted (its session opens) or shut down (its session closes). */
  setSession(id: number, open: boolean): void;
  sessionOpen(id: number): boolean;
  /** Bytes its COW holds, or null when it has no live snapshot (dead, mid-reset, missing). */
  usedBytes(id: number): number | null;
  /** Its network card answers Wake-on-LAN. */
  answersWol(id: number): boolean;
}

export interface ActivityOptions {
  /** Random writes, bursts and power cycles (COWHERD_SIM_ACTIVITY); waking works either way. */
  lively: boolean;
  /** The PC switched on: it fetches its boot script (resolves once the answer came). */
  fetchBootScript(id: number): Promise<unknown>;
  /** From the boot script to its iSCSI session (COWHERD_SIM_BOOT_MS). */
  bootMs?: number;
  /** Simulated time runs this many times faster than the clock (COWHERD_SIM_SPEED, for a quick look at a day). */
  speed?: number;
  random?: () => number;
  /** The PC that heads for trouble (absent: none). */
  troubled?: number;
}

const MiB = 1024 * 1024;
const MIN = 60_000;
/** A tick after a long pause (a suspended laptop) moves the room by this much at most. */
const MAX_STEP_MS = 15_000;

type Power = { state: "on"; offAt: number } | { state: "off"; onAt: number } | { state: "booting"; sessionAt: number | null };

interface Burst {
  leftBytes: number;
  bytesPerMs: number;
}

interface Pc {
  power: Power;
  /** MiB/min of its steady writes while its working set is not yet in its COW. */
  baseMiBPerMin: number;
  /** How much of the disk it keeps rewriting: past this, little of what it writes is new. */
  workingSetMiB: number;
  burst: Burst | null;
}

/** Mean times of the power cycle and bursts (simulated minutes). */
const MEAN_ON_MIN = 100;
const MEAN_OFF_MIN = 15;
const BURSTS_PER_HOUR = 0.12;

export class SimActivity {
  private readonly pcs = new Map<number, Pc>();
  private readonly random: () => number;
  private readonly speed: number;
  /** Simulated time (ms), advanced by tick(). */
  private simNow: number | null = null;
  private lastTick: number | null = null;

  constructor(
    private readonly port: SimPcPort,
    private readonly machines: readonly Machine[],
    private readonly opts: ActivityOptions,
  ) {
    this.random = opts.random ?? Math.random;
    this.speed = Math.max(0.01, opts.speed ?? 1);
  }

  private exp(meanMin: number, minMin: number): number {
    return Math.max(minMin, -Math.log(1 - this.random()) * meanMin) * MIN;
  }

  private pc(m: Machine, now: number): Pc {
    let p = this.pcs.get(m.id);
    if (!p) {
      const troubled = m.id === this.opts.troubled;
      p = {
        power: this.port.sessionOpen(m.id)
          ? { state: "on", offAt: now + this.exp(MEAN_ON_MIN, 10) }
          : { state: "off", onAt: now + this.exp(MEAN_OFF_MIN * 2, 2) },
        // A download left running: everything it writes is new.
        baseMiBPerMin: troubled ? 0.2 : 0.3 + this.random() * 1.7,
        workingSetMiB: troubled ? Infinity : 50 + this.random() * 90,
        burst: null,
      };
      this.pcs.set(m.id, p);
    }
    return p;
  }

  /** Moves the room to `now` (ms of the clock; simulated time runs `speed` times faster). */
  tick(now: number): void {
    const dt = this.lastTick === null ? 0 : Math.min(MAX_STEP_MS, Math.max(0, now - this.lastTick)) * this.speed;
    this.lastTick = now;
    const t = (this.simNow = (this.simNow ?? now) + dt);
    for (const m of this.machines) {
      const p = this.pc(m, t);
      const power = p.power;
      if (power.state === "booting") {
        if (power.sessionAt !== null && t >= power.sessionAt) {
          this.port.setSession(m.id, true);
          p.power = { state: "on", offAt: t + this.exp(MEAN_ON_MIN, 15) };
        }
        continue;
      }
      if (!this.opts.lively) {
        // A frozen room: its PCs stay as they are (a session opened or closed from outside counts).
        if (power.state === "off" && this.port.sessionOpen(m.id)) p.power = { state: "on", offAt: Infinity };
        continue;
      }
      if (power.state === "off") {
        if (this.port.sessionOpen(m.id)) p.power = { state: "on", offAt: t + this.exp(MEAN_ON_MIN, 15) };
        else if (t >= power.onAt) this.switchOn(m.id);
        continue;
      }
      if (t >= power.offAt && m.id !== this.opts.troubled) {
        this.switchOff(m.id);
        continue;
      }
      if (dt > 0) this.write(m, p, dt);
    }
  }

  private write(m: Machine, p: Pc, dt: number): void {
    const used = this.port.usedBytes(m.id);
    if (used === null) return; // dead or mid-reset: nothing more gets in
    const share = Number.isFinite(p.workingSetMiB) ? Math.max(0.02, 1 - used / MiB / p.workingSetMiB) : 1;
    let bytes = ((p.baseMiBPerMin * MiB) / MIN) * dt * share;
    if (!p.burst && this.random() < (BURSTS_PER_HOUR * dt) / (60 * MIN)) p.burst = this.newBurst();
    if (p.burst) {
      const b = Math.min(p.burst.leftBytes, p.burst.bytesPerMs * dt);
      bytes += b;
      p.burst.leftBytes -= b;
      if (p.burst.leftBytes <= 0) p.burst = null;
    }
    this.port.writeBytes(m.id, bytes);
  }

  /** A game install (40–110 MiB at 10–20 MiB/min) or an update (15–45 MiB at 4–8 MiB/min). */
  private newBurst(): Burst {
    const game = this.random() < 0.4;
    const sizeMiB = game ? 40 + this.random() * 70 : 15 + this.random() * 30;
    const perMin = game ? 10 + this.random() * 10 : 4 + this.random() * 4;
    return { leftBytes: sizeMiB * MiB, bytesPerMs: (perMin * MiB) / MIN };
  }

  /** Someone shut the PC down: its session ends (its COW stays as it is). */
  switchOff(id: number): void {
    const p = this.pcs.get(id);
    this.port.setSession(id, false);
    if (p) p.power = { state: "off", onAt: (this.simNow ?? 0) + this.exp(MEAN_OFF_MIN, 2) };
  }

  /**
   * The PC is switched on (its power button, or a Wake-on-LAN packet): it fetches its boot script
   * through the real route (which carries out a reset at next boot first), then logs in to its
   * target `bootMs` later. True when it boots; false when it is already up or booting.
   */
  switchOn(id: number): boolean {
    const m = this.machines.find((x) => x.id === id);
    if (!m) return false;
    const p = this.pc(m, this.simNow ?? Date.now());
    if (p.power.state === "booting" || this.port.sessionOpen(id)) return false;
    const booting: Power = { state: "booting", sessionAt: null };
    p.power = booting;
    const jitter = 0.75 + this.random() / 2;
    void this.opts
      .fetchBootScript(id)
      .catch(() => undefined) // no answer: iPXE boots what it has (the real one retries; close enough)
      .then(() => {
        if (p.power === booting) booting.sessionAt = (this.simNow ?? 0) + (this.opts.bootMs ?? 4000) * jitter;
      });
    return true;
  }

  /** A Wake-on-LAN packet reached the PC: it boots when its card answers and it is off. */
  wake(id: number): boolean {
    if (!this.port.answersWol(id)) return false;
    this.switchOn(id);
    return true;
  }

  /** Test and demo control: where a PC is in its power cycle. */
  powerState(id: number): Power["state"] | null {
    return this.pcs.get(id)?.power.state ?? null;
  }
}
