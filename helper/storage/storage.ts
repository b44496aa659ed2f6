/**
 * The storage host as root sees it: loop devices, device-mapper snapshots and an iSCSI target.
 * Reads go through HostReads (never changing anything); every mutating verb holds the per-PC locks
 * of the PCs it touches for its whole run; all commands are argv arrays from helper/commands.
 */
import path from "node:path";
import type { Config, Machine } from "../../lib/config/schema";
import type { Runner } from "../../lib/host/command";
import { check } from "../commands/command";
import { dmsetup } from "../commands/dmsetup";
import { losetup } from "../commands/losetup";
import { allocate } from "../commands/misc";
import { exportSteps, exportedFor, type ExportSpec, type IscsiBackend } from "../iscsi/backend";
import { ietBackend } from "../iscsi/iet";
import { lioBackend } from "../iscsi/lio";
import { tgtBackend } from "../iscsi/tgt";
import { onlineRefusal, type PcResult } from "../../lib/host/protocol";
import { runReset } from "../../lib/host/reset-run";
import { StepError, errorText, stepOf } from "../../lib/host/step-error";
import type { HostImages } from "../../lib/host/images";
import type { MachineHostStatus, ResetReport, StepRecord, StoreSpace } from "../../lib/host/types";
import { reserveAllows } from "../../lib/usage/autoextend-policy";
import type { StorageVerbs } from "../run-verb";
import type { FsPort } from "./fs-port";
import { Journal } from "./journal";
import { currentVersion, version, type ImageState } from "./image-state";
import { Images } from "./images";
import { layoutOf } from "./layout";
import { IMAGE_LOCK, PcLocks, type LockHolder } from "./locks";
import { HostReads, type HostView } from "./reads";
import { ensureSnapshot, inPlaceReset, type DmOps, type PlanDeps } from "./reset-plan";
import { statusOf } from "./status";

export interface StorageDeps {
  config: Config;
  run: Runner;
  fs: FsPort;
  /** Device-mapper table work and the per-PC locks (the dm worker in production). */
  dm: DmOps & LockHolder;
  /** Where journals and lock files live (/run/cowherd). */
  stateDir: string;
  /** Where the image versions' state file lives (/var/lib/cowherd-helper: root's alone, and it survives a reboot). */
  libDir?: string;
  /** Something went wrong after the work was done (a loop of an old version not detached): said on stderr. */
  warn?: (line: string) => void;
  pid?: number;
  now?: () => number;
  lockWaitMs?: number;
}

const MiB = 1024 * 1024;

export class Storage implements StorageVerbs {
  readonly backend: IscsiBackend;
  readonly reads: HostReads;
  readonly locks: PcLocks;
  readonly journal: Journal;
  readonly images: Images;
  private readonly byId: Map<number, Machine>;

  constructor(private readonly d: StorageDeps) {
    const c = d.config;
    this.byId = new Map(c.machines.map((m) => [m.id, m]));
    this.backend = c.storage.backend === "tgt" ? tgtBackend : c.storage.backend === "iet" ? ietBackend : lioBackend(() => this.specs());
    this.reads = new HostReads(d.run, d.fs, this.backend, () => this.specs());
    this.locks = new PcLocks(d.dm, d.stateDir, d.lockWaitMs);
    this.journal = new Journal(d.fs, d.stateDir);
    this.images = new Images({
      config: c,
      fs: d.fs,
      run: d.run,
      reads: this.reads,
      backend: this.backend,
      libDir: d.libDir ?? "/var/lib/cowherd-helper",
      stateDir: d.stateDir,
      pid: d.pid ?? process.pid,
      now: () => this.now(),
      machine: (id) => this.machine(id),
    });
  }

  machine(id: number): Machine {
    const m = this.byId.get(id);
    if (!m) throw new StepError("validate", `no machine ${id} in the helper's config`);
    return m;
  }

  spec(m: Machine): ExportSpec {
    return { tid: m.id, iqn: m.iqn, name: m.dmName, device: `/dev/mapper/${m.dmName}`, allow: this.d.config.storage.access === "all" ? "ALL" : m.ip };
  }

  private specs(): ExportSpec[] {
    const list = this.d.config.machines.map((m) => this.spec(m));
    // The update target too (LIO reads each target's configfs files by name).
    try {
      const u = this.images.updateSpec(this.images.load(), { loops: [] });
      if (u) list.push(u);
    } catch {
      /* an unreadable state file is reported by status itself */
    }
    return list;
  }

  private async runAll(cmds: ReturnType<IscsiBackend["lunOnline"]>): Promise<void> {
    for (const c of cmds) await check(this.d.run, c);
  }

  private async nodes(name: string): Promise<void> {
    await check(this.d.run, dmsetup.mknodes(name));
  }

  private async setCapacity(loop: string): Promise<void> {
    await check(this.d.run, losetup.setCapacity(loop)).catch((e: unknown) => {
      throw new StepError("set-capacity", errorText(e));
    });
  }

  /** What a reset plan and a repair need of this host. */
  private planDeps() {
    return { dm: this.d.dm, reads: this.reads, fs: this.d.fs, nodes: (n: string) => this.nodes(n), setCapacity: (l: string) => this.setCapacity(l) };
  }

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  // ── reads ──────────────────────────────────────────────────────────────────────────────────
  async status(): Promise<{ machines: MachineHostStatus[]; images?: HostImages }> {
    const view = await this.reads.view("reported");
    const { s, error } = this.images.loadForRead();
    const machines = statusOf(this.d.config, this.backend, view, this.d.fs, this.images, s, this.resetting());
    // Without the image state nobody can tell which version a PC sits on: every PC says so, its
    // numbers still come (usage, alerts and auto-extend go on), and no versions are claimed.
    if (error) return { machines: machines.map((m) => ({ ...m, problem: `the image versions' state cannot be read: ${error}` })) };
    return { machines, images: this.images.report(s, view) };
  }

  /**
   * PCs a live process is resetting now: a journal naming this process while it holds the PC's
   * lock, or another process that is still running. A journal of a dead process is a fault to repair.
   */
  private resetting(): Set<number> {
    const own = this.d.pid ?? process.pid;
    return new Set(
      this.journal.list().filter((id) => {
        const pid = this.journal.read(id)?.pid ?? 0;
        return pid > 0 && (pid === own ? this.locks.heldHere(id) : this.d.fs.exists(`/proc/${pid}`));
      }),
    );
  }

  async imageList(): Promise<HostImages> {
    return this.images.report(this.images.load(), await this.reads.view("optional"));
  }

  private warn(what: string, e: unknown): void {
    (this.d.warn ?? ((l: string) => process.stderr.write(l + "\n")))(`cowherd-helper: ${what}: ${errorText(e)}`);
  }

  /**
   * The current version as a reset's target: attached read-only when PCs move onto it (a PC already
   * on it is rebuilt over the loop it runs on, so nothing is attached before its checks); or why not.
   */
  private async target(s: ImageState, view: HostView, moving: boolean): Promise<{ view: HostView; target: PlanDeps["target"] }> {
    const cur = currentVersion(s);
    const sectors = Math.floor((this.d.fs.stat(cur.path)?.size ?? 0) / 512);
    if (!moving) return { view, target: { n: s.current, loop: this.images.loopOf(view, cur.path) ?? null, sectors } };
    try {
      const v = await this.images.attach(s, s.current, view);
      return { view: v, target: { n: s.current, loop: this.images.loopOf(v, cur.path)!, sectors } };
    } catch (e) {
      return { view, target: new StepError("check", `the current image version v${s.current} cannot be attached: ${errorText(e)}`) };
    }
  }

  /** Free space of each filesystem holding COW files (statfs: no process), and the reserve kept on it. */
  stores(): StoreSpace[] {
    const dirs = [...new Set(this.d.config.machines.map((m) => path.posix.dirname(m.cowPath)))];
    const reserveBytes = this.d.config.storage.reserveMiB * MiB;
    return dirs.flatMap((dir) => {
      try {
        return [{ dir, freeBytes: this.d.fs.freeBytes(dir), sizeBytes: this.d.fs.sizeBytes(dir), reserveBytes }];
      } catch {
        return []; // not there (yet): nothing to say about it
      }
    });
  }

  // ── reset ──────────────────────────────────────────────────────────────────────────────────
  async reset(ids: number[], onStep: (id: number, step: string) => void, opts: { force?: boolean } = {}): Promise<ResetReport[]> {
    ids.forEach((id) => this.machine(id));
    return this.locks.with(ids, async () => {
      // A reset a dead process left half done is repaired first, so this one starts from the truth.
      let view = await this.reads.view("optional");
      if ((await this.repairHalfDone(ids, view)).length) view = await this.reads.view("optional");
      // The last word on a running PC, under its lock: the app's view of sessions can be seconds old.
      const refused = new Map(opts.force ? [] : ids.flatMap((id) => this.online(id, view)).map((r) => [r.id, r]));
      const run = ids.filter((id) => !refused.has(id));
      const reports = run.length ? await this.resetNow(run, view, onStep) : [];
      return ids.map((id) => refused.get(id) ?? reports.find((r) => r.id === id)!);
    });
  }

  /** The refusal of a reset of a PC whose iSCSI session is open (none when it has none). */
  private online(id: number, view: HostView): ResetReport[] {
    const m = this.machine(id);
    const from = (view.iscsi.get(m.iqn)?.initiators ?? []).map((i) => i.ip ?? i.iqn);
    return from.length ? [onlineRefusal(id, m.name, from)] : [];
  }

  private async resetNow(ids: number[], view: HostView, onStep: (id: number, step: string) => void): Promise<ResetReport[]> {
    // A moment under the image lock: the version the PCs move to, attached and pinned (no prune or
    // delete takes it from under them), then the run without it.
    const { s, moving, t, pin } = await this.locks.with([IMAGE_LOCK], async () => {
      const s = this.images.load();
      const moving = ids.some((id) => this.images.sitsOn(s, view).get(id) !== s.current);
      const t = await this.target(s, view, moving);
      return { s, moving, t, pin: t.target instanceof Error ? null : this.images.pin(s.current) };
    });
    let pinned = pin;
    const unpin = () => {
      if (pinned) this.images.unpin(pinned);
      pinned = null;
    };
    try {
      const reports = await runReset(ids, this.resetPlan(s, t.target, t.view), onStep);
      // PCs that moved off an older version may have freed it: its loop goes, and the version too
      // past storage.keepVersions. (No second look at the host when nobody changed version.)
      if (moving) {
        unpin();
        await this.locks
          .with([IMAGE_LOCK], async () => this.images.prune(this.images.load(), await this.reads.view("optional")))
          .catch((e: unknown) => this.warn("after the reset, old image versions were not tidied up", e));
      }
      return reports;
    } finally {
      unpin();
    }
  }

  private resetPlan(s: ImageState, target: PlanDeps["target"], view: HostView) {
    return inPlaceReset(
      {
        ...this.planDeps(),
        config: this.d.config,
        journal: this.journal,
        machine: (id) => this.machine(id),
        pid: this.d.pid ?? process.pid,
        now: () => this.now(),
        bases: this.images.bases(s),
        target,
        // The state file is read, changed and written under the image lock: never two at once.
        record: (moved, n) => this.locks.with([IMAGE_LOCK], async () => this.images.record(moved, n)),
      },
      view,
    );
  }

  // ── repair ─────────────────────────────────────────────────────────────────────────────────
  /**
   * PCs a dead process left half done (a journal), or whose device is in a half state (no table,
   * an error table, a table loaded but never resumed, suspended, no /dev/mapper node): back to a
   * live snapshot on their own COW, with its node; and every PC with a device whose export is
   * incomplete (no target, a target never bound, no LUN: a kill during `up`) exported, when the
   * target can be read. Takes no lock: callers hold them. Lists only PCs where something was done.
   */
  private async repairHalfDone(ids: readonly number[], view: HostView): Promise<PcResult[]> {
    const journaled = new Set(this.journal.list());
    const out: PcResult[] = [];
    for (const id of ids) {
      const m = this.machine(id);
      const info = view.info.get(m.dmName);
      const noNode = !!info && !this.d.fs.exists(this.spec(m).device);
      const half = !!info && (!info.live || info.inactive || info.suspended || view.tables.get(m.dmName)?.target !== "snapshot" || noNode);
      const legacyJournal = this.d.fs.exists(`${this.d.stateDir}/reset-${id}.pid`); // helper 1.x
      const unexported = !!info && !view.iscsiError && !exportedFor(this.backend, this.spec(m), view.iscsi.get(m.iqn));
      if (!half && !unexported && !journaled.has(id) && !legacyJournal) continue;
      const actions: string[] = [];
      try {
        if (info && half) {
          const records: StepRecord[] = [];
          const bases = this.images.bases(this.images.load());
          const ok = await ensureSnapshot(this.planDeps(), m, layoutOf(this.d.config, this.d.fs, m, view, "repair", bases), records);
          actions.push(...records.filter((r) => r.ok).map((r) => r.step.replace(/^recover:/, "")));
          if (!ok) throw new StepError("repair", records.filter((r) => !r.ok).map((r) => r.error).pop() ?? "the snapshot did not come back");
          // A device live all along can still lack its node (dmsetup create killed after the kernel
          // made it, no udev): without it the target cannot open the disk.
          if (!this.d.fs.exists(this.spec(m).device)) {
            await this.nodes(m.dmName);
            actions.push("dm-node");
          }
        }
        if (info && !view.iscsiError) actions.push(...(await this.export(m, view)));
        this.journal.remove(id);
        if (legacyJournal) this.d.fs.remove(`${this.d.stateDir}/reset-${id}.pid`);
        out.push({ id, ok: true, actions });
      } catch (e) {
        out.push({ id, ok: false, actions, step: stepOf(e, "repair"), error: errorText(e) });
      }
    }
    return out;
  }

  /**
   * Half states (see repairHalfDone), then every PC whose device is there but whose LUN is not
   * (tgtd restarted, a kill during up) exported again. PCs that are not set up stay that way: that
   * is `up`'s job.
   */
  async repair(ids: number[]): Promise<PcResult[]> {
    return this.locks.with(ids, async () => {
      // The image versions first (a draft of a dead copy, a publish half done): id 0 in the results.
      const imageResult: PcResult[] = [];
      try {
        const actions = await this.locks.with([IMAGE_LOCK], () => this.images.repair());
        if (actions.length) imageResult.push({ id: 0, ok: true, actions });
      } catch (e) {
        imageResult.push({ id: 0, ok: false, actions: [], step: stepOf(e, "images"), error: errorText(e) });
      }
      const results = new Map((await this.repairHalfDone(ids, await this.reads.view())).map((r) => [r.id, r]));
      const view = await this.reads.view();
      for (const id of ids) {
        const m = this.machine(id);
        const r = results.get(id) ?? { id, ok: true, actions: [] };
        if (r.ok && view.info.has(m.dmName)) {
          try {
            r.actions.push(...(await this.export(m, view)));
          } catch (e) {
            Object.assign(r, { ok: false, step: "lun-online", error: errorText(e) });
          }
        }
        results.set(id, r);
      }
      return [...imageResult, ...ids.map((id) => results.get(id)!)];
    });
  }

  // ── up / down ──────────────────────────────────────────────────────────────────────────────
  /** Whatever of the PC's target, binding and LUN is missing, made (see exportSteps). */
  private async export(m: Machine, view: HostView): Promise<string[]> {
    const done: string[] = [];
    for (const step of exportSteps(this.backend, this.spec(m), view.iscsi.get(m.iqn))) {
      await this.runAll(step.cmds);
      done.push(step.action);
    }
    return done;
  }

  /** Refuses to allocate past the reserve of the filesystem holding the COW: a full store kills every snapshot on it. */
  private ensureSpace(m: Machine, bytes: number, what: string): void {
    const dir = path.posix.dirname(m.cowPath);
    const { reserveMiB } = this.d.config.storage;
    const free = this.d.fs.freeBytes(dir);
    if (!reserveAllows(free, bytes, reserveMiB * MiB)) {
      throw new StepError("space", `not enough space for ${what}: ${Math.floor(free / MiB)} MiB free on ${dir}, ${Math.ceil(bytes / MiB)} MiB needed plus the ${reserveMiB} MiB reserve (storage.reserveMiB)`);
    }
  }

  /** A new COW file of the configured size, after checking the space for it. */
  private createCow(m: Machine): void {
    const bytes = m.cowSizeMiB * MiB;
    this.ensureSpace(m, bytes, `${m.name}'s ${m.cowSizeMiB} MiB COW`);
    this.d.fs.createSized(m.cowPath, bytes);
  }

  async up(ids: number[]): Promise<PcResult[]> {
    return this.locks.with(ids, async () => {
      let view = await this.reads.view();
      // What a kill left half made is finished first; its actions are reported as up's own.
      const repaired = new Map((await this.repairHalfDone(ids, view)).map((r) => [r.id, r.actions]));
      if (repaired.size) view = await this.reads.view();
      // A moment under the image lock: each PC's COW goes over the version it was built on (a new
      // COW over the current one), recorded, and those versions attached; the records keep them.
      let bases;
      try {
        ({ view, bases } = await this.locks.with([IMAGE_LOCK], async () => {
          let s = this.images.load();
          // Recording PCs over a version whose file is not there would record it as 0 bytes for good.
          const cur = currentVersion(s);
          if (!this.d.fs.exists(cur.path)) throw new StepError("master", `image v${cur.n} (${cur.path}) not found: put the master there first`);
          const fresh = ids.filter((id) => !this.d.fs.exists(this.machine(id).cowPath) || !version(s, s.pcs[String(id)] ?? 0));
          if (fresh.length) {
            this.images.record(fresh, s.current);
            s = this.images.load();
          }
          const bases = this.images.bases(s);
          let v = view;
          for (const n of new Set(ids.map((id) => bases.baseFor(this.machine(id)).n))) v = await this.images.attach(s, n, v);
          return { view: v, bases };
        }));
      } catch (e) {
        return ids.map((id) => ({ id, ok: false, actions: [], step: stepOf(e, "master"), error: errorText(e) }));
      }
      const results: PcResult[] = [];
      for (const id of ids) {
        const m = this.machine(id);
        const done: string[] = [...(repaired.get(id) ?? [])];
        let step = "cow-file";
        try {
          const held = view.loops.find((l) => l.backFile === m.cowPath && !l.readOnly);
          if (!held) {
            if (!this.d.fs.exists(m.cowPath)) {
              this.createCow(m);
              done.push("cow-created");
              step = "cow-allocate";
              try {
                await check(this.d.run, allocate(m.cowPath, m.cowSizeMiB * MiB));
              } catch (e) {
                this.d.fs.remove(m.cowPath); // the space was not there after all: leave nothing behind
                throw new StepError("cow-allocate", `cannot allocate ${m.cowSizeMiB} MiB for ${m.cowPath}: ${errorText(e)}`);
              }
            }
            step = "cow-loop";
            await check(this.d.run, losetup.attach(m.cowPath, false));
            view = { ...view, loops: await this.reads.loops() };
            done.push("cow-loop-attached");
          }
          step = "dm-create";
          const l = layoutOf(this.d.config, this.d.fs, m, view, "check", bases);
          if (!view.info.has(m.dmName)) {
            await check(this.d.run, dmsetup.create(m.dmName, l.table));
            done.push("dm-created");
          }
          step = "lun-online";
          done.push(...(await this.export(m, view)));
          results.push({ id, ok: true, actions: done });
        } catch (e) {
          results.push({ id, ok: false, actions: done, step: stepOf(e, step), error: errorText(e) });
        }
      }
      // PCs rebuilt over a master replaced by hand have let go of the old file's loop: it goes.
      await this.locks
        .with([IMAGE_LOCK], async () => this.images.detachStale(this.images.load(), await this.reads.view("optional")))
        .catch((e: unknown) => this.warn("after up, the loop of a replaced image file was not detached", e));
      return results;
    });
  }

  async down(ids: number[]): Promise<PcResult[]> {
    return this.locks.with(ids, async () => {
      const results: PcResult[] = [];
      for (const id of ids) {
        const m = this.machine(id);
        const done: string[] = [];
        let step = "lun-offline";
        try {
          const view = await this.reads.view();
          if (view.iscsi.get(m.iqn)?.luns.has(this.backend.lun)) {
            await this.runAll(this.backend.lunOffline(this.spec(m)));
            done.push("lun-offline");
          }
          step = "target-delete";
          if (view.iscsi.has(m.iqn)) {
            await this.runAll(this.backend.deleteTarget(this.spec(m)));
            done.push("target-deleted");
          }
          step = "dm-remove";
          const info = view.info.get(m.dmName);
          if (info) {
            if (info.suspended) await check(this.d.run, dmsetup.resume(m.dmName));
            await check(this.d.run, dmsetup.remove(m.dmName));
            done.push("dm-removed");
          }
          step = "cow-loop";
          for (const loop of view.loops.filter((l) => l.backFile === m.cowPath && !l.readOnly)) {
            await check(this.d.run, losetup.detach(loop.name));
            done.push("cow-loop-detached");
          }
          this.journal.remove(id);
          results.push({ id, ok: true, actions: done });
        } catch (e) {
          results.push({ id, ok: false, actions: done, step: stepOf(e, step), error: errorText(e) });
        }
      }
      return results;
    });
  }

  // ── grow ───────────────────────────────────────────────────────────────────────────────────
  async grow(id: number, mib: number, expectSectors?: number): Promise<{ totalSectors: number }> {
    const m = this.machine(id);
    return this.locks.with([id], async () => {
      const view = await this.reads.view();
      const l = layoutOf(this.d.config, this.d.fs, m, view, "check", this.images.bases(this.images.load()));
      const bytes = mib * MiB;
      const current = this.d.fs.stat(m.cowPath)!.size;
      // A grow queued behind a reset would otherwise grow the freshly cut COW: it grows only the COW
      // its caller saw.
      if (expectSectors !== undefined && current / 512 !== expectSectors) {
        throw new StepError("changed", `${m.name}'s COW is ${Math.floor(current / 512)} sectors now, not the ${expectSectors} the grow was asked for (a reset or another grow ran meanwhile): nothing was changed; look again and grow from there`);
      }
      if (bytes <= current) throw new StepError("validate", `new size ${mib} MiB is not larger than the current ${Math.floor(current / MiB)} MiB`);
      if (mib > m.maxCowSizeMiB) throw new StepError("validate", `new size ${mib} MiB is larger than ${m.name}'s maxCowSizeMiB (${m.maxCowSizeMiB} MiB)`);
      this.ensureSpace(m, bytes - current, `growing ${m.name}'s COW to ${mib} MiB`);
      try {
        await check(this.d.run, allocate(m.cowPath, bytes));
      } catch (e) {
        this.d.fs.truncate(m.cowPath, current); // fallocate may have extended part way: undo it
        throw new StepError("cow-allocate", `cannot allocate ${mib} MiB for ${m.cowPath}: ${errorText(e)}`);
      }
      await this.setCapacity(l.cow.name);
      // The persistent store re-reads the COW size per exception; status shows the new total at once.
      const total = (await this.reads.status()).get(m.dmName)?.snapshot?.totalSectors;
      if (total !== bytes / 512) throw new StepError("verify", `status shows ${total ?? "no"} total sectors after grow, expected ${bytes / 512}`);
      return { totalSectors: total };
    });
  }

  // ── image versions ─────────────────────────────────────────────────────────────────────────
  /**
   * Update mode on one PC: the free-space check and the draft recorded (under the image lock and
   * the PC's), the copy (without locks: resets go on meanwhile), then the draft attached read-write
   * and exported to that PC only. A failure on the way leaves no draft behind.
   */
  async imageUpdate(id: number, onStep: (id: number, step: string) => void): Promise<HostImages> {
    this.machine(id);
    onStep(id, "image-space");
    const { s, shareOnly } = await this.locks.with([IMAGE_LOCK, id], async () => this.images.begin(id));
    const d = s.draft!;
    let method: "reflink" | "copy";
    try {
      onStep(id, "image-copy 0%");
      method = await this.images.copy(s, (pct) => onStep(id, `image-copy ${pct}%`), shareOnly);
    } catch (e) {
      await this.locks.with([IMAGE_LOCK, id], async () => this.images.abandon(d.n, d.path)).catch(() => undefined);
      throw new StepError("image-copy", `copying v${currentVersion(s).n} to ${d.path} failed: ${errorText(e)}`);
    }
    onStep(id, "image-export");
    return this.locks.with([IMAGE_LOCK, id], async () => {
      try {
        await this.images.ready(d.n, method);
      } catch (e) {
        // Nothing half done stays: no export, no loop, no file, no draft.
        await this.images.discard().catch(() => undefined);
        this.images.abandon(d.n, d.path);
        throw e;
      }
      return this.images.report(this.images.load(), await this.reads.view("optional"));
    });
  }

  /** An image verb under the image lock (and the update PC's, where there is a draft): its report after. */
  private async imageOp(fn: () => Promise<unknown>): Promise<HostImages> {
    // The update PC is read under the locks: a draft begun or ended between a look without them and
    // taking them would leave its PC unlocked. A PC that changed meanwhile: let go, take the new one.
    for (let tries = 0; ; tries++) {
      const guess = this.images.load().draft?.machine;
      const locked = guess && this.byId.has(guess) ? guess : null;
      const r = await this.locks.with([IMAGE_LOCK, ...(locked ? [locked] : [])], async () => {
        const pc = this.images.load().draft?.machine;
        if ((pc && this.byId.has(pc) ? pc : null) !== locked) {
          if (tries < 3) return null;
          throw new StepError("lock", "the update PC kept changing while its lock was being taken: try again");
        }
        await fn();
        return this.images.report(this.images.load(), await this.reads.view("optional"));
      });
      if (r) return r;
    }
  }

  imagePublish(): Promise<HostImages> {
    return this.imageOp(() => this.images.publish());
  }

  imageDiscard(): Promise<HostImages> {
    return this.imageOp(() => this.images.discard());
  }

  imageCurrent(n: number): Promise<HostImages> {
    return this.imageOp(() => this.images.setCurrent(n));
  }

  imageDelete(n: number): Promise<HostImages> {
    return this.imageOp(() => this.images.remove(n));
  }
}
