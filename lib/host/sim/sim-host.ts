import { ConfigError } from "../../config/load";
import type { Machine } from "../../config/schema";
import { IMAGE_REFUSED, updateIqn, type HostImages, type ImageOp } from "../images";
import { onlineRefusal } from "../protocol";
import { attempt, runReset, type BatchStep, type ResetPlan } from "../reset-run";
import { StepError } from "../step-error";
import { HostError, type Host, type HostHealth, type HostStatus, type MachineHostStatus, type ResetOptions, type ResetReport, type StepRecord, type StoreSpace } from "../types";
import { reserveAllows } from "../../usage/autoextend-policy";
import { canAllocate, exceptionsForFraction, usage, type SnapshotGeometry } from "./snapshot-model";
import { adoptState, pcIdentity, readSimState, writeSimState, type SimImages, type SimMachineState, type SimState } from "./sim-state";

/** A long list said briefly: its first few and how many more. */
const list = (xs: string[], n = 5) => xs.slice(0, n).join(", ") + (xs.length > n ? ` and ${xs.length - n} more` : "");

export interface SimOptions {
  stateFile?: string;
  /** Artificial latency per reset step, so progress is visible as on a real host. */
  stepMs: number;
  /** Initial scenario for a fresh state; "demo" gives a lively room with one PC close to full. */
  scenario?: "demo" | "fresh";
  /** Versions kept (storage.keepVersions). */
  keepVersions?: number;
  /** The update target's IQN prefix (storage.iqnPrefix). */
  iqnPrefix?: string;
  now?: () => number;
  /** The simulated COW store: its size and the reserve no COW may grow into (MiB). */
  storeMiB?: number;
  reserveMiB?: number;
  /** Where to say what a changed room kept and dropped. */
  log?: (line: string) => void;
}

/**
 * All the simulated PCs (lib/host/sim/activity.ts) do to their storage: write new data into their
 * COW, open or close their iSCSI session, and what a PC knows of itself. Kept this narrow so the
 * storage behind it can be swapped for the helper's own code without touching what the PCs do.
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

interface Fault {
  step: string;
  remaining: number;
  message: string;
}

const MASTER_SECTORS = 4 * 1024 * 1024 * 2; // the 4 GiB XP image of the write-up
const MiB = 1024 * 1024;
const STORE_DIR = "/store (simulated)";
const MASTER_BYTES = MASTER_SECTORS * 512;
/** An update's simulated copy: this many progress steps of stepMs each. */
const COPY_STEPS = 10;

const refused = (message: string): never => {
  throw new StepError(IMAGE_REFUSED, message);
};

/** Parses COWHERD_SIM_FAIL, e.g. "3:dm-error,5:dm-load:2,7:dm-resume:*". */
export function parseFaultSpec(spec: string | undefined): { id: number; step: string; times: number }[] {
  if (!spec) return [];
  return spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [id, step, times] = s.split(":");
      if (!id || !/^\d+$/.test(id) || !step || (times && times !== "*" && !/^\d+$/.test(times))) {
        throw new ConfigError(`COWHERD_SIM_FAIL: bad entry "${s}" (want id:step[:count|*], e.g. 3:dm-load or 5:dm-resume:*)`);
      }
      return { id: Number(id), step, times: times === "*" ? Infinity : times ? Number(times) : 1 };
    });
}

/**
 * The built-in storage host: a faithful in-process model of master + per-PC snapshots + iSCSI
 * target, driven through the same reset run as the real helper. State persists across restarts.
 */
export class SimHost implements Host, SimPcPort {
  readonly kind = "sim" as const;
  private state: SimState;
  private faults = new Map<number, Fault[]>();
  private dirty = false;
  private down: { since: number; error: string } | null = null;
  /** No state file was found: the room was just created from the scenario. */
  readonly fresh: boolean;
  private readonly now: () => number;
  private readonly byId: Map<number, Machine>;

  constructor(
    readonly name: string,
    private readonly machines: Machine[],
    private readonly opts: SimOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.byId = new Map(machines.map((m) => [m.id, m]));
    const loaded = opts.stateFile ? readSimState(opts.stateFile) : null;
    this.state = loaded ?? { version: 1, advancedAt: this.now(), machines: {} };
    this.state.images ??= { versions: [{ n: 1, sizeBytes: MASTER_BYTES, createdAt: this.now() }], current: 1, next: 2, draft: null };
    // A copy cannot outlive the process that made it: a draft left copying is gone, as repair does.
    if (this.state.images.draft?.state === "copying") this.state.images.draft = null;
    if (loaded) {
      const { kept, dropped } = adoptState(this.state.machines, machines);
      if (dropped.length) {
        opts.log?.(`cowherd: simulated host ${name}: the room changed: kept the state of ${kept.length} PC(s)${kept.length ? ` (${list(kept)})` : ""}; dropped ${dropped.length}: ${list(dropped)}`);
      }
    }
    for (const m of machines) this.state.machines[m.id] ??= { ...this.initialMachine(m), pc: pcIdentity(m) };
    this.dirty = !loaded || Object.keys(this.state.machines).length !== machines.length;
    this.fresh = !loaded;
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** The COW as it is now: grown online, or back to its configured size after a reset. */
  private geometry(m: Machine): SnapshotGeometry {
    return { cowSectors: (this.state.machines[m.id]?.cowSizeMiB ?? m.cowSizeMiB) * 2048, chunkSectors: m.chunkSectors };
  }

  private initialMachine(m: Machine): SimMachineState {
    const fresh: SimMachineState = {
      device: true,
      table: "snapshot",
      loaded: null,
      suspended: false,
      exported: true,
      header: true,
      exceptions: 0,
      health: "ok",
      online: false,
      pendingChunks: 0,
    };
    if (this.opts.scenario === "fresh") return fresh;
    // Demo room: most PCs running, written to a varying degree (up to about 40 %), PC 7 well on
    // its way to full (the simulated PCs, lib/host/sim/activity.ts, keep it filling slowly).
    const online = m.id % 5 !== 0;
    const fraction = m.id === 7 ? 0.86 : online ? 0.03 + ((m.id * 37) % 100) / 260 : 0.01 * (m.id % 3);
    return { ...fresh, online, exceptions: exceptionsForFraction(fraction, this.geometry(m)) };
  }

  private sim(id: number): SimMachineState {
    const s = this.state.machines[id];
    if (!s) throw new Error(`unknown machine ${id}`);
    return s;
  }

  /** Test and demo control: make the next reset(s) of a PC fail at a named step. */
  injectFault(id: number, step: string, times = 1, message?: string): void {
    const list = this.faults.get(id) ?? [];
    list.push({ step, remaining: times, message: message ?? `simulated failure in ${step}` });
    this.faults.set(id, list);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Test and demo control: the host stops answering (null: it answers again). */
  setDown(error: string | null): void {
    this.down = error === null ? null : { since: this.down?.since ?? this.now(), error };
  }

  /** Test control: put a PC into a given condition. */
  setMachine(id: number, patch: Partial<SimMachineState> & { fraction?: number }): void {
    const s = this.sim(id);
    const { fraction, ...rest } = patch;
    if (fraction !== undefined) s.exceptions = exceptionsForFraction(fraction, this.geometry(this.byId.get(id)!));
    Object.assign(s, rest);
    this.dirty = true;
  }

  /** Simulates a PC writing n sectors of new data (all to chunks not yet remapped). */
  write(id: number, sectors: number): void {
    const m = this.byId.get(id)!;
    this.addExceptions(m, this.sim(id), Math.ceil(sectors / m.chunkSectors));
  }

  writeBytes(id: number, bytes: number): void {
    const m = this.byId.get(id);
    const s = this.state.machines[id];
    if (!m || !s || !s.online || bytes <= 0) return;
    // Fractions of a chunk add up, so a slow writer still grows its COW.
    s.pendingChunks += bytes / (m.chunkSectors * 512);
    const whole = Math.floor(s.pendingChunks);
    s.pendingChunks -= whole;
    this.addExceptions(m, s, whole);
  }

  setSession(id: number, open: boolean): void {
    const s = this.sim(id);
    if (s.online === open) return;
    s.online = open;
    this.dirty = true;
  }

  sessionOpen(id: number): boolean {
    return this.sim(id).online;
  }

  usedBytes(id: number): number | null {
    const m = this.byId.get(id)!;
    const s = this.sim(id);
    if (!s.device || !this.serving(s) || s.health !== "ok") return null;
    return usage(s.exceptions, this.geometry(m)).usedSectors * 512;
  }

  answersWol(id: number): boolean {
    return this.sim(id).wol !== false;
  }

  private serving(s: SimMachineState): boolean {
    return s.device && (s.table ?? "snapshot") === "snapshot" && !s.suspended && s.exported;
  }

  private addExceptions(m: Machine, s: SimMachineState, n: number): void {
    if (!this.serving(s) || s.health !== "ok" || n <= 0) return;
    const g = this.geometry(m);
    for (let i = 0; i < n; i++) {
      if (!canAllocate(s.exceptions, g)) {
        s.health = m.mode === "PO" ? "overflow" : "invalid";
        break;
      }
      s.exceptions++;
    }
    this.dirty = true;
  }

  /** The simulated store: the master and every COW at its current size. */
  private store(): StoreSpace {
    const sizeBytes = (this.opts.storeMiB ?? 64 * 1024) * MiB;
    const used = MASTER_SECTORS * 512 + this.machines.reduce((n, m) => n + (this.state.machines[m.id]?.cowSizeMiB ?? m.cowSizeMiB) * MiB, 0);
    return { dir: STORE_DIR, freeBytes: Math.max(0, sizeBytes - used), sizeBytes, reserveBytes: (this.opts.reserveMiB ?? 1024) * MiB };
  }

  async status(): Promise<HostStatus> {
    if (this.down) throw new HostError(`storage host ${this.name}: ${this.down.error}`);
    this.state.advancedAt = this.now();
    const machines: MachineHostStatus[] = this.machines.map((m) => {
      const s = this.sim(m.id);
      const base = {
        id: m.id,
        online: s.online,
        initiators: s.online ? [{ iqn: `iqn.1991-05.com.microsoft:${m.name}`, ip: m.ip }] : [],
        exported: s.exported,
        suspended: s.device && s.suspended,
      };
      const withVersion = { ...base, version: s.version ?? 1 };
      if (!s.device) return { ...base, state: "missing" };
      if ((s.table ?? "snapshot") !== "snapshot") return { ...withVersion, state: "unknown" };
      if (s.health !== "ok") return { ...withVersion, state: s.health };
      return { ...withVersion, state: "ok", ...usage(s.exceptions, this.geometry(m)) };
    });
    return { readAt: this.now(), machines, stores: [this.store()], images: this.imageReport() };
  }

  private get img(): SimImages {
    return this.state.images!;
  }

  private imageReport(): HostImages {
    const im = this.img;
    const on = (n: number) => this.machines.filter((m) => this.sim(m.id).device && (this.sim(m.id).version ?? 1) === n).map((m) => m.id);
    return {
      current: im.current,
      keep: this.opts.keepVersions ?? 3,
      versions: im.versions.map((v) => ({ ...v, attached: v.n === im.current || on(v.n).length > 0, machines: on(v.n) })),
      draft: im.draft ? { ...im.draft, totalBytes: MASTER_BYTES, iqn: updateIqn(this.opts.iqnPrefix ?? "iqn.2010-01.lan.retrolan") } : null,
    };
  }

  /** Test and demo control: the update PC has (or has not) a session on the update target. */
  setUpdateSession(online: boolean): void {
    if (this.img.draft) this.img.draft.online = online;
    this.dirty = true;
  }

  /** The same operations, refusals and retention as the helper (helper/storage/image-state.ts). */
  async image(op: ImageOp, onStep?: (step: string) => void): Promise<HostImages> {
    if (this.down) throw new HostError(`storage host ${this.name}: ${this.down.error}`);
    const im = this.img;
    const list = () => im.versions.map((v) => `v${v.n}`).join(", ");
    const draft = im.draft;
    const name = (id: number) => this.byId.get(id)?.name ?? `PC ${id}`;
    switch (op.op) {
      case "update": {
        if (!this.byId.has(op.machine)) throw new HostError(`no machine ${op.machine} on ${this.name}`, "validate");
        if (draft) refused(`an update is already in progress (v${draft.n} on PC ${draft.machine}, ${draft.state}): publish or discard it first`);
        const d: NonNullable<SimImages["draft"]> = { n: im.next++, machine: op.machine, state: "copying", startedAt: this.now(), copiedBytes: 0, method: null, online: false };
        im.draft = d;
        this.dirty = true;
        onStep?.("image-copy 0%");
        for (let i = 1; i <= COPY_STEPS; i++) {
          if (this.opts.stepMs > 0) await new Promise((r) => setTimeout(r, this.opts.stepMs));
          try {
            if (im.draft !== d) throw new Error("the copy was stopped (the draft was discarded)");
            this.fault(op.machine, "image-copy");
          } catch (e) {
            // A copy that fails leaves no draft behind.
            if (im.draft === d) im.draft = null;
            throw new StepError("image-copy", `copying v${im.current} to the draft of v${d.n} failed: ${(e as Error).message}`);
          }
          d.copiedBytes = Math.round((MASTER_BYTES * i) / COPY_STEPS);
          onStep?.(`image-copy ${Math.round((100 * i) / COPY_STEPS)}%`);
        }
        Object.assign(d, { state: "ready", method: "copy" });
        break;
      }
      case "publish":
      case "discard": {
        if (!draft) return refused(`there is no update in progress to ${op.op}${op.op === "publish" ? ": start one on a PC first" : ""}`);
        if (draft.state === "copying" && op.op === "publish") refused(`v${draft.n} is still being copied: wait for the copy to finish, then publish it`);
        if (draft.state === "ready" && draft.online) refused(`PC ${name(draft.machine)} is still connected to the update target (v${draft.n}): shut it down first, then ${op.op}`);
        im.draft = null;
        if (op.op === "publish") {
          im.versions.push({ n: draft.n, sizeBytes: MASTER_BYTES, createdAt: this.now() });
          im.current = draft.n;
        }
        break;
      }
      case "current":
        if (!im.versions.some((v) => v.n === op.version)) refused(`there is no v${op.version} (versions: ${list()})`);
        im.current = op.version;
        break;
      case "delete": {
        const users = this.imageReport().versions.find((v) => v.n === op.version)?.machines ?? [];
        if (!im.versions.some((v) => v.n === op.version)) refused(`there is no v${op.version} (versions: ${list()})`);
        if (im.current === op.version) refused(`v${op.version} is the current version: make another one current first`);
        if (users.length) refused(`v${op.version} is in use by ${users.length === 1 ? "PC" : "PCs"} ${users.join(", ")}: they move off it at their next reset`);
        im.versions = im.versions.filter((v) => v.n !== op.version);
        break;
      }
    }
    this.prune();
    this.dirty = true;
    this.persist();
    return this.imageReport();
  }

  /** Retention: versions beyond the newest `keepVersions` that are neither current nor in use go. */
  private prune(): void {
    const im = this.img;
    const used = new Set(this.machines.filter((m) => this.sim(m.id).device).map((m) => this.sim(m.id).version ?? 1));
    const keep = new Set([...im.versions].sort((a, b) => b.n - a.n).slice(0, this.opts.keepVersions ?? 3).map((v) => v.n));
    im.versions = im.versions.filter((v) => keep.has(v.n) || v.n === im.current || used.has(v.n));
  }

  health(): HostHealth {
    return this.down ? { state: "down", since: this.down.since, error: this.down.error } : { state: "up", since: this.state.advancedAt };
  }

  /** A step for every PC of the batch at once, after one step's latency (as one real command). */
  private step(name: string, fn: (s: SimMachineState, m: Machine) => void): BatchStep {
    return {
      name,
      run: async (ids) => {
        if (this.opts.stepMs > 0) await new Promise((r) => setTimeout(r, this.opts.stepMs));
        const failed = new Map<number, unknown>();
        for (const id of ids) {
          try {
            this.fault(id, name);
            fn(this.sim(id), this.byId.get(id)!);
          } catch (e) {
            failed.set(id, e);
          }
        }
        this.dirty = true;
        return failed;
      },
    };
  }

  private fault(id: number, step: string): void {
    const fault = this.faults.get(id)?.find((f) => f.step === step && f.remaining > 0);
    if (!fault) return;
    fault.remaining--;
    throw new Error(fault.message);
  }

  private load(s: SimMachineState, m: Machine): void {
    if (!s.device) throw new Error(`device-mapper: table load on ${m.dmName} failed: No such device or address`);
    s.loaded = "snapshot";
  }

  private resume(s: SimMachineState): void {
    if (s.loaded === "snapshot") {
      s.table = "snapshot";
      s.loaded = null;
      if (!s.header) {
        // A snapshot constructed over a zeroed header starts a fresh, empty exception store, on a
        // COW back at its configured size (growth never carries over a reset).
        delete s.cowSizeMiB;
        s.exceptions = 0;
        s.health = "ok";
        s.header = true;
        s.pendingChunks = 0;
      }
    }
    s.suspended = false;
  }

  /** The same steps the real helper runs; the LUN is never touched. */
  private plan(): ResetPlan {
    return {
      steps: [
        this.step("check", (s, m) => {
          if (!s.device) throw new Error(`${m.dmName} is not set up on ${this.name}: run 'cowherd-helper up ${m.id}'`);
        }),
        this.step("dm-error", (s) => {
          s.table = "error";
          s.loaded = null;
          s.suspended = false;
        }),
        // A zeroed header is meaningful over any version: the PC now sits on the current one.
        this.step("cow-zero", (s) => void Object.assign(s, { header: false, version: this.img.current })),
        this.step("dm-load", (s, m) => this.load(s, m)),
        this.step("dm-resume", (s) => this.resume(s)),
      ],
      recover: async (id, _failedStep, done) => {
        const s = this.sim(id);
        const m = this.byId.get(id)!;
        const records: StepRecord[] = [];
        if (s.device && ((s.table ?? "snapshot") !== "snapshot" || s.loaded || s.suspended)) {
          if (s.table !== "snapshot" && !s.loaded) await attempt(records, "recover:dm-load", async () => (this.fault(id, `recover:dm-load`), this.load(s, m)));
          await attempt(records, "recover:dm-resume", async () => (this.fault(id, `recover:dm-resume`), this.resume(s)));
        }
        this.dirty = true;
        return { records, outcome: !this.serving(s) ? "down" : done.includes("cow-zero") ? "fresh" : "kept-old" };
      },
    };
  }

  async reset(ids: number[], onStep?: (id: number, step: string) => void, opts: ResetOptions = {}): Promise<ResetReport[]> {
    if (this.down) throw new HostError(`storage host ${this.name}: ${this.down.error}`);
    for (const id of ids) if (!this.byId.has(id)) throw new HostError(`no machine ${id} on ${this.name}`, "validate");
    // The real helper's rule: a PC with an open session is not reset unless forced.
    const refused = new Map<number, ResetReport>();
    for (const id of opts.force ? [] : ids) {
      const m = this.byId.get(id)!;
      if (this.sim(id).online) refused.set(id, onlineRefusal(id, m.name, [m.ip]));
    }
    const run = ids.filter((id) => !refused.has(id));
    const reports = run.length ? await runReset(run, this.plan(), onStep) : [];
    this.prune();
    this.persist();
    return ids.map((id) => refused.get(id) ?? reports.find((r) => r.id === id)!);
  }

  /** Grows a PC's COW as the real helper does, up to its maximum and never into the store's reserve. */
  async grow(id: number, mib: number, expectSectors?: number): Promise<{ totalSectors: number }> {
    if (this.down) throw new HostError(`storage host ${this.name}: ${this.down.error}`);
    const m = this.byId.get(id);
    if (!m) throw new HostError(`no machine ${id} on ${this.name}`, "validate");
    const s = this.sim(id);
    const current = s.cowSizeMiB ?? m.cowSizeMiB;
    if (expectSectors !== undefined && current * 2048 !== expectSectors) {
      throw new StepError("changed", `${m.name}'s COW is ${current * 2048} sectors now, not the ${expectSectors} the grow was asked for (a reset or another grow ran meanwhile): nothing was changed; look again and grow from there`);
    }
    if (mib <= current) throw new StepError("validate", `new size ${mib} MiB is not larger than the current ${current} MiB`);
    if (mib > m.maxCowSizeMiB) throw new StepError("validate", `new size ${mib} MiB is larger than ${m.name}'s maxCowSizeMiB (${m.maxCowSizeMiB} MiB)`);
    const store = this.store();
    if (!reserveAllows(store.freeBytes, (mib - current) * MiB, store.reserveBytes)) {
      throw new StepError(
        "space",
        `not enough space for growing ${m.name}'s COW to ${mib} MiB: ${Math.floor(store.freeBytes / MiB)} MiB free on ${STORE_DIR}, ${mib - current} MiB needed plus the ${store.reserveBytes / MiB} MiB reserve (storage.reserveMiB)`,
      );
    }
    s.cowSizeMiB = mib;
    this.dirty = true;
    this.persist();
    return { totalSectors: mib * 2048 };
  }

  close(): void {
    this.persist();
  }

  /** Writes state if anything changed; called by the scheduler and after resets. */
  persist(): void {
    if (!this.dirty || !this.opts.stateFile) return;
    writeSimState(this.opts.stateFile, this.state);
    this.dirty = false;
  }
}
