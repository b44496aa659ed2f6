/**
 * The real storage host, as the privileged helper runs it: loop devices, device-mapper snapshots and
 * an iSCSI target, driven through argv-array commands from lib/host/commands. Everything here works
 * through a Runner and an FsPort, so tests see exactly which commands would run.
 */
import type { Config, Machine } from "../../config/schema";
import { check, type Command, type Runner } from "../commands/command";
import { dmsetup, parseDmInfo, snapshotTable, type DmInfo } from "../commands/dmsetup";
import { losetup, parseLosetupList, type LoopDevice } from "../commands/losetup";
import { allocate } from "../commands/misc";
import { StepBatch } from "./step-batch";
import { parseDmStatusAll } from "../dm-status";
import type { ExportSpec, IscsiBackend, IscsiView } from "../iscsi/backend";
import { ietBackend } from "../iscsi/iet";
import { lioBackend } from "../iscsi/lio";
import { tgtBackend } from "../iscsi/tgt";
import { ensureExported, errorText, runReset, type ResetOps } from "../reset-sequence";
import type { MachineHostStatus, ResetReport } from "../types";
import type { FsPort } from "./fs-port";

export interface StorageDeps {
  config: Config;
  run: Runner;
  fs: FsPort;
  /** Where reset journals live (/run/cowherd): a journal left by a dead process marks a half-done reset. */
  stateDir: string;
  onStep?: (id: number, step: string) => void;
  pid?: number;
  isAlive?: (pid: number) => boolean;
}

export interface UpResult {
  id: number;
  ok: boolean;
  actions: string[];
  error?: string;
  step?: string;
}

interface ResetBatches {
  remove: StepBatch;
  create: StepBatch;
}

function leaveOnFailure(ops: ResetOps, leave: () => void): ResetOps {
  const wrapped = {} as ResetOps;
  for (const key of Object.keys(ops) as (keyof ResetOps)[]) {
    const fn = ops[key] as () => Promise<unknown>;
    (wrapped as unknown as Record<string, () => Promise<unknown>>)[key] = async () => {
      try {
        return await fn();
      } catch (e) {
        leave();
        throw e;
      }
    };
  }
  return wrapped;
}

export interface HostSnapshot {
  loops: LoopDevice[];
  info: Map<string, DmInfo>;
  view: IscsiView;
}

class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

export class StorageHost {
  readonly backend: IscsiBackend;
  private readonly byId: Map<number, Machine>;

  constructor(private readonly d: StorageDeps) {
    const c = d.config;
    this.byId = new Map(c.machines.map((m) => [m.id, m]));
    this.backend = c.storage.backend === "tgt" ? tgtBackend : c.storage.backend === "iet" ? ietBackend : lioBackend(() => this.specs());
  }

  machine(id: number): Machine {
    const m = this.byId.get(id);
    if (!m) throw new StepError("validate", `no machine ${id} in the helper's config`);
    return m;
  }

  spec(m: Machine): ExportSpec {
    return {
      tid: m.id,
      iqn: m.iqn,
      name: m.dmName,
      device: `/dev/mapper/${m.dmName}`,
      allow: this.d.config.storage.access === "all" ? "ALL" : m.ip,
    };
  }

  private specs(): ExportSpec[] {
    return this.d.config.machines.map((m) => this.spec(m));
  }

  // ── one-pass reads ──────────────────────────────────────────────────────────────────────────
  /**
   * Listing every device races with another process removing one ("Device does not exist" between
   * dmsetup's list and its per-device query): a read that fails is tried again, twice.
   */
  private async read(cmd: Command): Promise<string> {
    for (let i = 0; ; i++) {
      try {
        return (await check(this.d.run, cmd)).stdout;
      } catch (e) {
        if (i >= 2) throw e;
        await new Promise((r) => setTimeout(r, 50 * (i + 1)));
      }
    }
  }

  async loops(): Promise<LoopDevice[]> {
    return parseLosetupList(await this.read(losetup.list()));
  }

  async dmInfo(): Promise<Map<string, DmInfo>> {
    return parseDmInfo(await this.read(dmsetup.infoAll()));
  }

  async iscsi(): Promise<IscsiView> {
    const read = this.backend.read;
    if (read.kind === "command") return this.backend.parse(await this.read(read.cmd));
    const files = new Map(read.paths(this.specs()).map((p) => [p, this.d.fs.read(p)] as const));
    return this.backend.parse(files);
  }

  async status(): Promise<MachineHostStatus[]> {
    const [statusOut, info, view] = await Promise.all([this.read(dmsetup.statusAll()), this.dmInfo(), this.iscsi()]);
    const dm = parseDmStatusAll(statusOut);
    return this.d.config.machines.map((m) => {
      const dev = dm.get(m.dmName);
      const target = view.get(m.iqn);
      const exported = target?.luns.has(this.backend.lun) ?? false;
      const base = {
        id: m.id,
        online: (target?.initiators.length ?? 0) > 0,
        initiators: target?.initiators ?? [],
        exported,
        suspended: info.get(m.dmName)?.suspended ?? false,
      };
      if (!dev) return { ...base, state: "missing" as const };
      if (!dev.snapshot) return { ...base, state: "unknown" as const };
      return { ...base, ...dev.snapshot };
    });
  }

  // ── building blocks ─────────────────────────────────────────────────────────────────────────
  private masterLoop(loops: LoopDevice[]): LoopDevice | undefined {
    return loops.find((l) => l.backFile === this.d.config.storage.master && l.readOnly);
  }

  private cowLoop(loops: LoopDevice[], m: Machine): LoopDevice | undefined {
    return loops.find((l) => l.backFile === m.cowPath && !l.readOnly);
  }

  private originSectors(): number {
    const size = this.d.fs.size(this.d.config.storage.master);
    if (size === null) throw new StepError("master", `master image ${this.d.config.storage.master} not found`);
    return Math.floor(size / 512);
  }

  private async table(m: Machine, known?: LoopDevice[]): Promise<string> {
    const loops = known ?? (await this.loops());
    const master = this.masterLoop(loops);
    if (!master) throw new StepError("master", `master ${this.d.config.storage.master} is not attached read-only: run 'cowherd-helper up'`);
    const cow = this.cowLoop(loops, m);
    if (!cow) throw new StepError("cow-loop", `COW ${m.cowPath} is not attached: run 'cowherd-helper up ${m.id}'`);
    return snapshotTable(this.originSectors(), master.name, cow.name, m.mode, m.chunkSectors);
  }

  private async runAll(cmds: ReturnType<IscsiBackend["lunOnline"]>): Promise<void> {
    for (const c of cmds) await check(this.d.run, c);
  }

  /** One read of loops, dm devices and the target, shared by every PC of one helper call. */
  async snapshot(): Promise<HostSnapshot> {
    const [loops, info, view] = await Promise.all([this.loops(), this.dmInfo(), this.iscsi()]);
    return { loops, info, view };
  }

  /**
   * The reset primitives for one PC. With a snapshot, each check is answered from it: in the reset
   * sequence every check precedes the one command that changes what it checked, so it is still true.
   */
  opsFor(m: Machine, snap?: HostSnapshot, batch?: ResetBatches): ResetOps {
    const s = this.spec(m);
    const exists = async () => (snap ? snap.info : await this.dmInfo()).has(m.dmName);
    const targetExists = async () => (snap ? snap.view : await this.iscsi()).has(m.iqn);
    const lunExported = async () => (snap ? snap.view : await this.iscsi()).get(m.iqn)?.luns.has(this.backend.lun) ?? false;
    return {
      lunOffline: async () => {
        if (await lunExported()) await this.runAll(this.backend.lunOffline(s));
      },
      lunOnline: async () => {
        if (!(await targetExists())) await this.runAll(this.backend.createTarget(s));
        await this.runAll(this.backend.lunOnline(s));
      },
      lunExported,
      dmRemove: async () => {
        if (!(await exists())) return batch?.remove.leave(m.id);
        if (batch) await batch.remove.join(m.id);
        else await check(this.d.run, dmsetup.remove(m.dmName));
      },
      dmCreate: async () => {
        if (batch) await batch.create.join(m.id);
        else await check(this.d.run, dmsetup.create(m.dmName, await this.table(m, snap?.loops)));
      },
      dmExists: exists,
      dmSuspended: async () => (await this.dmInfo()).get(m.dmName)?.suspended ?? false,
      dmResume: async () => void (await check(this.d.run, dmsetup.resume(m.dmName))),
      cowZero: async () => {
        const cow = this.cowLoop(snap?.loops ?? (await this.loops()), m);
        if (!cow) throw new Error(`COW ${m.cowPath} is not attached to a loop device`);
        this.d.fs.zeroHeader(cow.name);
      },
    };
  }

  // ── reset journals: a reset in progress leaves a file naming its pid ──────────────────────────
  private journal(id: number): string {
    return `${this.d.stateDir}/reset-${id}.pid`;
  }

  private alive(pid: number): boolean {
    if (this.d.isAlive) return this.d.isAlive(pid);
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "EPERM";
    }
  }

  /** Claims the PC for this process; a journal of a dead process is repaired and taken over. */
  private async claim(m: Machine): Promise<void> {
    this.d.fs.mkdirp(this.d.stateDir);
    const file = this.journal(m.id);
    const pid = this.d.pid ?? process.pid;
    if (this.d.fs.createExclusive(file, String(pid))) return;
    const owner = Number(this.d.fs.read(file));
    if (Number.isInteger(owner) && owner > 0 && this.alive(owner)) {
      throw new StepError("lock", `${m.name} is already being reset by process ${owner}`);
    }
    await ensureExported(this.opsFor(m));
    this.d.fs.remove(file);
    if (!this.d.fs.createExclusive(file, String(pid))) throw new StepError("lock", `${m.name} is being reset by another process`);
  }

  private release(m: Machine): void {
    this.d.fs.remove(this.journal(m.id));
  }

  /** Journals left by a crashed helper: bring those PCs back to device active + LUN exported. */
  async repairStale(): Promise<UpResult[]> {
    const out: UpResult[] = [];
    for (const f of this.d.fs.list(this.d.stateDir)) {
      const match = /^reset-(\d+)\.pid$/.exec(f);
      const m = match ? this.byId.get(Number(match[1])) : undefined;
      if (!m) continue;
      const owner = Number(this.d.fs.read(`${this.d.stateDir}/${f}`));
      if (Number.isInteger(owner) && owner > 0 && this.alive(owner)) continue;
      const { exported, records } = await ensureExported(this.opsFor(m));
      this.d.fs.remove(`${this.d.stateDir}/${f}`);
      out.push({ id: m.id, ok: exported, actions: records.map((r) => `${r.step}${r.ok ? "" : " (failed)"}`) });
    }
    return out;
  }

  // ── verbs ───────────────────────────────────────────────────────────────────────────────────
  /**
   * One command for all PCs' device removals and one for their creations. A device left behind by
   * the batch is retried alone, so one busy PC never fails the others and its error is its own.
   */
  private batches(ids: number[], snap: HostSnapshot): ResetBatches {
    const names = new Map(ids.map((id) => [id, this.machine(id).dmName]));
    const settle = async (batchIds: number[], wanted: boolean, single: (id: number) => Promise<unknown>) => {
      const info = await this.dmInfo().catch(() => new Map<string, DmInfo>());
      const out = new Map<number, Error | null>();
      for (const id of batchIds) {
        if (info.has(names.get(id)!) === wanted) {
          out.set(id, null);
          continue;
        }
        try {
          await single(id);
          out.set(id, null);
        } catch (e) {
          out.set(id, e instanceof Error ? e : new Error(String(e)));
        }
      }
      return out;
    };
    return {
      remove: new StepBatch(ids, async (batchIds) => {
        await this.d.run(dmsetup.removeMany(batchIds.map((id) => names.get(id)!)));
        return settle(batchIds, false, (id) => check(this.d.run, dmsetup.remove(names.get(id)!)));
      }),
      create: new StepBatch(ids, async (batchIds) => {
        const tables = new Map<number, string>();
        for (const id of batchIds) tables.set(id, await this.table(this.machine(id), snap.loops));
        if (batchIds.length > 1) await this.d.run(dmsetup.createMany(batchIds.map((id) => ({ name: names.get(id)!, table: tables.get(id)! }))));
        return settle(batchIds, true, (id) => check(this.d.run, dmsetup.create(names.get(id)!, tables.get(id)!)));
      }),
    };
  }

  async reset(ids: number[]): Promise<ResetReport[]> {
    const reports = new Map<number, ResetReport>();
    const claimed: Machine[] = [];
    // Claim first (a crashed helper's half-done reset is repaired here), then look at the host.
    for (const id of ids) {
      const m = this.machine(id);
      try {
        await this.claim(m);
        claimed.push(m);
      } catch (e) {
        reports.set(id, { id, ok: false, failedStep: e instanceof StepError ? e.step : "lock", error: errorText(e), steps: [], recovery: [], outcome: "kept-old" });
      }
    }
    try {
      let snap: HostSnapshot | undefined;
      try {
        snap = await this.snapshot();
      } catch {
        snap = undefined; // e.g. tgtd down: each step then looks for itself and fails where it must
      }
      const batch = snap && claimed.length > 1 ? this.batches(claimed.map((m) => m.id), snap) : undefined;
      const leave = (id: number) => {
        batch?.remove.leave(id);
        batch?.create.leave(id);
      };
      await Promise.all(
        claimed.map(async (m) => {
          try {
            // A PC whose step fails goes to recovery and will not join later batches.
            const primary = leaveOnFailure(this.opsFor(m, snap, batch), () => leave(m.id));
            reports.set(m.id, await runReset(m.id, primary, (step) => this.d.onStep?.(m.id, step), this.opsFor(m)));
          } finally {
            leave(m.id);
          }
        }),
      );
    } finally {
      claimed.forEach((m) => this.release(m));
    }
    return ids.map((id) => reports.get(id)!);
  }

  async up(ids: number[]): Promise<UpResult[]> {
    const actions = new Map<number, string[]>(ids.map((id) => [id, []]));
    // One read of everything; each PC's entries change only through this loop's own commands.
    const snap = await this.snapshot();
    let loops = snap.loops;
    const storage = this.d.config.storage;
    try {
      if (!this.d.fs.exists(storage.master)) throw new StepError("master", `master image ${storage.master} not found`);
      if (!this.masterLoop(loops)) {
        await check(this.d.run, losetup.attach(storage.master, true));
        actions.get(ids[0]!)?.push("master-attached");
        loops = await this.loops();
      }
    } catch (e) {
      return ids.map((id) => ({ id, ok: false, actions: [], step: e instanceof StepError ? e.step : "master", error: errorText(e) }));
    }
    const results: UpResult[] = [];
    for (const id of ids) {
      const m = this.machine(id);
      const done = actions.get(id)!;
      let step = "cow-file";
      try {
        if (!this.d.fs.exists(m.cowPath)) {
          const bytes = m.cowSizeMiB * 1024 * 1024;
          this.d.fs.createSized(m.cowPath, bytes);
          done.push("cow-created");
          try {
            await check(this.d.run, allocate(m.cowPath, bytes));
          } catch {
            done.push("cow-sparse"); // filesystem without fallocate: blocks are allocated on write
          }
        }
        step = "cow-loop";
        if (!this.cowLoop(loops, m)) {
          await check(this.d.run, losetup.attach(m.cowPath, false));
          loops = await this.loops();
          done.push("cow-loop-attached");
        }
        const ops = this.opsFor(m, { ...snap, loops });
        step = "dm-create";
        const info = snap.info.get(m.dmName);
        if (!info) {
          await ops.dmCreate();
          done.push("dm-created");
        } else if (info.suspended) {
          step = "dm-resume";
          await ops.dmResume();
          done.push("dm-resumed");
        }
        step = "lun-online";
        const view = snap.view;
        if (!view.has(m.iqn)) {
          await this.runAll(this.backend.createTarget(this.spec(m)));
          done.push("target-created");
        }
        if (!view.get(m.iqn)?.luns.has(this.backend.lun)) {
          await this.runAll(this.backend.lunOnline(this.spec(m)));
          done.push("lun-online");
        }
        results.push({ id, ok: true, actions: done });
      } catch (e) {
        results.push({ id, ok: false, actions: done, step: e instanceof StepError ? e.step : step, error: errorText(e) });
      }
    }
    return results;
  }

  async down(ids: number[]): Promise<UpResult[]> {
    const results: UpResult[] = [];
    for (const id of ids) {
      const m = this.machine(id);
      const done: string[] = [];
      let step = "lun-offline";
      try {
        const view = await this.iscsi();
        if (view.get(m.iqn)?.luns.has(this.backend.lun)) {
          await this.runAll(this.backend.lunOffline(this.spec(m)));
          done.push("lun-offline");
        }
        step = "target-delete";
        if (view.has(m.iqn)) {
          await this.runAll(this.backend.deleteTarget(this.spec(m)));
          done.push("target-deleted");
        }
        step = "dm-remove";
        const info = (await this.dmInfo()).get(m.dmName);
        if (info) {
          if (info.suspended) await check(this.d.run, dmsetup.resume(m.dmName));
          await check(this.d.run, dmsetup.remove(m.dmName));
          done.push("dm-removed");
        }
        step = "cow-loop";
        const cow = this.cowLoop(await this.loops(), m);
        if (cow) {
          await check(this.d.run, losetup.detach(cow.name));
          done.push("cow-loop-detached");
        }
        results.push({ id, ok: true, actions: done });
      } catch (e) {
        results.push({ id, ok: false, actions: done, step, error: errorText(e) });
      }
    }
    return results;
  }

  async grow(id: number, mib: number): Promise<{ totalSectors: number }> {
    const m = this.machine(id);
    const bytes = mib * 1024 * 1024;
    const current = this.d.fs.size(m.cowPath);
    if (current === null) throw new StepError("cow-file", `COW ${m.cowPath} not found`);
    if (bytes <= current) throw new StepError("validate", `new size ${mib} MiB is not larger than the current ${Math.floor(current / 1048576)} MiB`);
    const cow = this.cowLoop(await this.loops(), m);
    if (!cow) throw new StepError("cow-loop", `COW ${m.cowPath} is not attached: run 'cowherd-helper up ${id}'`);
    try {
      await check(this.d.run, allocate(m.cowPath, bytes));
    } catch {
      this.d.fs.extend(m.cowPath, bytes);
    }
    await check(this.d.run, losetup.setCapacity(cow.name)).catch((e: unknown) => {
      throw new StepError("set-capacity", errorText(e));
    });
    // The persistent store re-reads the COW size per exception; status shows the new total at once.
    const dev = parseDmStatusAll((await check(this.d.run, dmsetup.statusAll())).stdout).get(m.dmName);
    const total = dev?.snapshot?.totalSectors;
    if (total !== bytes / 512) throw new StepError("verify", `status shows ${total ?? "no"} total sectors after grow, expected ${bytes / 512}`);
    return { totalSectors: total };
  }
}

export { StepError };
