/**
 * Master image versions on this storage host: the state file (root-owned, in /var/lib/cowherd-helper,
 * written durably), the version files beside the master, their read-only loops, and the draft of an
 * update (a copy of the current version on a read-write loop, exported to the update PC only).
 * The transitions and refusals are image-state.ts's; this module does the host work in an order
 * that a crash at any point leaves repairable (see repair()). Callers hold the locks.
 */
import path from "node:path";
import type { Config, Machine } from "../../lib/config/schema";
import type { Runner } from "../../lib/host/command";
import { check } from "../commands/command";
import { losetup, type LoopDevice } from "../commands/losetup";
import type { HostImages } from "../../lib/host/images";
import { exportSteps, exportedFor, type ExportSpec, type IscsiBackend } from "../iscsi/backend";
import { StepError, errorText } from "../../lib/host/step-error";
import type { FsPort } from "./fs-port";
import {
  beginPublish,
  beginUpdate,
  checkState,
  completePublish,
  copied,
  currentVersion,
  deleteVersion,
  discard,
  expired,
  initialState,
  recordPc,
  refuse,
  setCurrent,
  version,
  versionAt,
  versionPath,
  type ImageState,
} from "./image-state";
import type { Bases } from "./layout";
import type { Lineage } from "./lineage";
import type { HostReads, HostView } from "./reads";

const MiB = 1024 * 1024;

export interface ImageDeps {
  config: Config;
  /** The line of versions this instance keeps (helper/storage/lineage.ts). */
  lineage: Lineage;
  fs: FsPort;
  run: Runner;
  reads: HostReads;
  backend: IscsiBackend;
  /** Where the state file lives (/var/lib/cowherd-helper: root's alone, and it must survive a reboot). */
  libDir: string;
  /** Where resets in flight pin the version they move PCs to (/run/cowherd). */
  stateDir: string;
  pid: number;
  now(): number;
  machine(id: number): Machine;
}

export class Images {
  /** The copy this process is making: progress for status reads answered meanwhile. */
  private copying: { n: number; bytes: number } | null = null;
  private pins = 0;

  constructor(private readonly d: ImageDeps) {}

  get lineage(): Lineage {
    return this.d.lineage;
  }

  get dir(): string {
    return this.d.lineage.imageDir;
  }

  get file(): string {
    return `${this.d.libDir}/${this.d.lineage.stateFile}`;
  }

  /** The state; with no state file yet, the configured master is v1 and every PC sits on it. */
  load(): ImageState {
    const text = this.d.fs.read(this.file);
    if (text === null) {
      const { master } = this.d.lineage;
      return initialState(
        master,
        this.d.fs.stat(master)?.size ?? 0,
        this.d.now(),
        this.d.lineage.machines.map((m) => m.id),
      );
    }
    try {
      return checkState(JSON.parse(text));
    } catch (e) {
      throw new StepError(
        "images",
        `${this.file} cannot be read (${errorText(e)}): restore it from a backup, or move it away to start again from storage.master as v1`,
      );
    }
  }

  /**
   * The state, or (unreadable) the one a fresh host starts from and why it is not the real one: a
   * read goes on reporting every PC's numbers, which is what keeps the room watched.
   */
  loadForRead(): { s: ImageState; error: string | null } {
    try {
      return { s: this.load(), error: null };
    } catch (e) {
      const { master } = this.d.lineage;
      return {
        s: initialState(
          master,
          this.d.fs.stat(master)?.size ?? 0,
          this.d.now(),
          this.d.lineage.machines.map((m) => m.id),
        ),
        error: errorText(e),
      };
    }
  }

  save(s: ImageState): void {
    this.d.fs.mkdirp(this.d.libDir);
    this.d.fs.writeDurable(this.file, JSON.stringify(s, null, 1));
  }

  bases(s: ImageState): Bases {
    return {
      baseFor: (m) => {
        const rec = version(s, s.pcs[String(m.id)] ?? 0) ?? currentVersion(s);
        return { n: rec.n, path: rec.path };
      },
      versionAt: (file) => versionAt(s, file),
    };
  }

  /** The read-only loop holding a version's file (not a deleted one). */
  loopOf(view: Pick<HostView, "loops">, file: string): LoopDevice | undefined {
    return view.loops.find((l) => l.backFile === file && l.readOnly && !l.deleted);
  }

  /** Attaches version n read-only if it is not; the view's loops afresh when it did. */
  async attach(s: ImageState, n: number, view: HostView): Promise<HostView> {
    const v = version(s, n)!;
    if (this.loopOf(view, v.path)) return view;
    if (!this.d.fs.exists(v.path)) throw new StepError("master", `image v${n} (${v.path}) not found`);
    await check(this.d.run, losetup.attach(v.path, true));
    return { ...view, loops: await this.d.reads.loops() };
  }

  /**
   * Read-only loops still holding a version's old file (deleted or replaced under them: a master
   * swapped by hand) that no live table uses any more: detached, or they stay attached for ever.
   */
  async detachStale(s: ImageState, view: HostView): Promise<void> {
    const inUse = new Set([...view.tables.values()].filter((t) => t.target === "snapshot").map((t) => t.params.split(" ")[0]));
    const paths = new Set(s.versions.map((v) => v.path));
    for (const l of view.loops) {
      const replaced = l.backIno !== null && this.d.fs.stat(l.backFile) !== null && this.d.fs.stat(l.backFile)!.ino !== l.backIno;
      if (l.readOnly && paths.has(l.backFile) && (l.deleted || replaced) && !inUse.has(l.majMin)) await check(this.d.run, losetup.detach(l.name));
    }
  }

  /** The version each PC sits on now: its live snapshot's origin, else its record. */
  sitsOn(s: ImageState, view: HostView): Map<number, number> {
    const out = new Map<number, number>();
    for (const m of this.d.lineage.machines) {
      const live = view.tables.get(m.dmName);
      const origin = live?.target === "snapshot" ? live.params.split(" ")[0] : undefined;
      const loop = origin ? view.loops.find((l) => l.majMin === origin) : undefined;
      const n = loop ? versionAt(s, loop.backFile) : null;
      const rec = s.pcs[String(m.id)];
      if (n !== null) out.set(m.id, n);
      else if (rec !== undefined && version(s, rec)) out.set(m.id, rec);
    }
    return out;
  }

  private usedBy(s: ImageState, view: HostView, n: number): number[] {
    return [...this.sitsOn(s, view)].filter(([, v]) => v === n).map(([id]) => id);
  }

  /**
   * A reset in flight pins the version it moves its PCs to (a file in /run/cowherd naming it) from
   * the moment it attached it until its PCs are recorded on it, so no prune or delete takes the
   * version away in between. Pins of processes that are gone do not count (and are cleared).
   */
  pin(n: number): string {
    const file = `${this.d.stateDir}/pin-${this.d.pid}-${++this.pins}.json`;
    this.d.fs.mkdirp(this.d.stateDir);
    this.d.fs.writeAtomic(file, JSON.stringify({ n }));
    return file;
  }

  unpin(file: string): void {
    this.d.fs.remove(file);
  }

  /** Versions pinned by resets of live processes. */
  private pinned(): Set<number> {
    const out = new Set<number>();
    for (const f of this.d.fs.list(this.d.stateDir)) {
      const m = /^pin-(\d+)-\d+\.json$/.exec(f);
      if (!m) continue;
      const pid = Number(m[1]);
      const file = `${this.d.stateDir}/${f}`;
      if (pid !== this.d.pid && !this.d.fs.exists(`/proc/${pid}`)) {
        this.d.fs.remove(file);
        continue;
      }
      try {
        out.add((JSON.parse(this.d.fs.read(file) ?? "") as { n: number }).n);
      } catch {
        /* being written */
      }
    }
    return out;
  }

  /** The update target of a ready draft, exported to the update PC's address only. */
  updateSpec(s: ImageState, view: Pick<HostView, "loops">): ExportSpec | null {
    const d = s.draft;
    if (!d || d.state === "copying") return null;
    const m = this.d.lineage.machines.find((x) => x.id === d.machine);
    if (!m) return null;
    const loop = view.loops.find((l) => l.backFile === d.path && !l.readOnly);
    return {
      tid: this.d.lineage.update.tid,
      iqn: this.d.lineage.update.iqn,
      name: this.d.lineage.update.name,
      device: loop?.name ?? "",
      allow: this.d.config.storage.access === "all" ? "ALL" : m.ip,
      // The identity every PC's disk of this line shows (system or game), on the backend's usual LUN:
      // the Windows set up here must find it as the same disk after each reset.
      identity: this.d.lineage.identity,
    };
  }

  /** What status reports. Reads only. */
  report(s: ImageState, view: HostView): HostImages {
    const on = this.sitsOn(s, view);
    const d = s.draft;
    const total = currentVersion(s).sizeBytes;
    const target = view.iscsi.get(this.d.lineage.update.iqn);
    return {
      group: this.d.lineage.group,
      ...(this.d.lineage.disk === "game" ? { disk: "game" as const } : {}),
      current: s.current,
      keep: this.d.lineage.keepVersions,
      versions: s.versions.map((v) => ({
        n: v.n,
        sizeBytes: v.sizeBytes,
        createdAt: v.createdAt,
        attached: !!this.loopOf(view, v.path),
        machines: [...on].filter(([, n]) => n === v.n).map(([id]) => id),
      })),
      draft: d
        ? {
            n: d.n,
            machine: d.machine,
            state: d.state === "copying" ? "copying" : "ready",
            startedAt: d.startedAt,
            copiedBytes: d.state !== "copying" ? total : this.copying?.n === d.n ? this.copying.bytes : Math.min(total, this.d.fs.size(d.path) ?? 0),
            totalBytes: total,
            method: d.method,
            iqn: this.d.lineage.update.iqn,
            online: (target?.initiators.length ?? 0) > 0,
          }
        : null,
    };
  }

  // ── update mode ────────────────────────────────────────────────────────────────────────────
  /**
   * First part of an update, under the locks: the free-space check, then the draft recorded as
   * copying (so a crash from here on leaves a draft that repair deletes). A store without room for
   * a real copy can still take one that shares the blocks (a reflink): `shareOnly` then.
   */
  begin(machine: number): { s: ImageState; shareOnly: boolean } {
    const s = this.load();
    const cur = currentVersion(s);
    const { reserveMiB } = this.d.config.storage;
    const free = this.d.fs.freeBytes(this.dir);
    const shareOnly = free - cur.sizeBytes < reserveMiB * MiB;
    // A copy that shares blocks takes no space now, but the update PC's writes will: never below the reserve.
    if (shareOnly && (free < reserveMiB * MiB || !this.d.fs.canReflink(cur.path, this.dir))) {
      throw new StepError(
        "space",
        `not enough space for a copy of v${cur.n}: ${Math.floor(free / MiB)} MiB free on ${this.dir}, ${Math.ceil(cur.sizeBytes / MiB)} MiB needed plus the ${reserveMiB} MiB reserve (storage.reserveMiB), and this filesystem cannot share blocks (reflink)`,
      );
    }
    const next = beginUpdate(s, machine, { imageDir: this.dir, master: this.d.lineage.master }, this.d.now(), this.d.pid);
    if (this.d.fs.exists(next.draft!.path)) refuse(`${next.draft!.path} already exists: move it away first`);
    this.save(next);
    return { s: next, shareOnly };
  }

  /** The copy, without locks (it may take minutes): stops when the draft is discarded meanwhile. */
  async copy(s: ImageState, onProgress: (percent: number) => void, shareOnly = false): Promise<"reflink" | "copy"> {
    const d = s.draft!;
    const src = currentVersion(s);
    this.copying = { n: d.n, bytes: 0 };
    let shown = -1;
    let checkedAt = 0;
    let stopped = false;
    try {
      return await this.d.fs.copyImage(
        src.path,
        d.path,
        (bytes) => {
          this.copying = { n: d.n, bytes };
          const pct = src.sizeBytes ? Math.floor((bytes / src.sizeBytes) * 100) : 100;
          if (pct !== shown) onProgress((shown = pct));
        },
        () => {
          // Another process (or request) may have discarded the draft: look at the state now and then.
          if (this.copying!.bytes - checkedAt >= Math.min(256 * MiB, src.sizeBytes / 4) || checkedAt === 0) {
            checkedAt = this.copying!.bytes || 1;
            const now = this.load().draft;
            stopped = !now || now.n !== d.n;
          }
          return stopped;
        },
        shareOnly,
      );
    } finally {
      this.copying = null;
    }
  }

  /** A draft that could not be finished: gone from the state (if still there) and from the disk. */
  abandon(n: number, file: string): void {
    const s = this.load();
    if (s.draft?.n === n) this.save({ ...s, draft: null });
    this.d.fs.remove(file);
  }

  /** Last part, under the locks: the draft on a read-write loop, exported to the update PC only. */
  async ready(n: number, method: "reflink" | "copy"): Promise<ImageState> {
    const s = this.load();
    if (s.draft?.n !== n) refuse(`v${n} was discarded while it was being copied`);
    const d = s.draft!;
    await check(this.d.run, losetup.attach(d.path, false));
    const view = await this.d.reads.view();
    const next = copied(s, method);
    await this.export(this.updateSpec(next, view)!, view);
    this.save(next);
    return next;
  }

  private async export(spec: ExportSpec, view: HostView): Promise<void> {
    if (!spec.device) throw new StepError("update-loop", "the draft is not attached on a loop device");
    for (const step of exportSteps(this.d.backend, spec, view.iscsi.get(spec.iqn))) for (const c of step.cmds) await check(this.d.run, c);
  }

  /** The update target and the draft's loop gone (whatever of them is there). */
  private async unexport(s: ImageState, view: HostView): Promise<void> {
    const { tid, iqn, name } = this.d.lineage.update;
    const spec: ExportSpec = this.updateSpec(s, view) ?? { tid, iqn, name, device: "", allow: "ALL" };
    const t = view.iscsi.get(iqn);
    if (t?.luns.has(this.d.backend.lun)) for (const c of this.d.backend.lunOffline(spec)) await check(this.d.run, c);
    if (t) for (const c of this.d.backend.deleteTarget(spec)) await check(this.d.run, c);
    for (const l of view.loops.filter((l) => l.backFile.endsWith(".draft") && path.posix.dirname(l.backFile) === this.dir && !l.readOnly)) {
      await check(this.d.run, losetup.detach(l.name));
    }
  }

  private refuseWhileOnline(s: ImageState, view: HostView, what: string): void {
    const t = view.iscsi.get(this.d.lineage.update.iqn);
    if (t?.initiators.length) {
      refuse(`PC ${this.d.machine(s.draft!.machine).name} is still connected to the update target (v${s.draft!.n}): shut it down first, then ${what}`);
    }
  }

  // ── publish, discard, current, delete ──────────────────────────────────────────────────────
  async publish(): Promise<ImageState> {
    let s = this.load();
    beginPublish(s); // refusals first: no draft, still copying
    let view = await this.d.reads.view();
    this.refuseWhileOnline(s, view, "publish");
    await this.unexport(s, view);
    const d = s.draft!;
    this.d.fs.sync(d.path);
    this.d.fs.chmod(d.path, 0o444);
    s = beginPublish(s);
    this.save(s);
    s = this.finishPublish(s);
    view = await this.d.reads.view();
    view = await this.attach(s, s.current, view);
    return this.prune(s, view);
  }

  /** From "publishing" (complete, fsynced, read-only) to current: the rename, then the record. */
  private finishPublish(s: ImageState): ImageState {
    const d = s.draft!;
    const file = versionPath(this.dir, this.d.lineage.master, d.n);
    if (this.d.fs.exists(d.path)) this.d.fs.rename(d.path, file);
    const st = this.d.fs.stat(file);
    if (!st) throw new StepError("publish", `neither ${d.path} nor ${file} exists: the draft of v${d.n} is lost; 'cowherd-helper image-discard' forgets it`);
    const next = completePublish(s, file, st.size, this.d.now());
    this.save(next);
    return next;
  }

  async discard(): Promise<ImageState> {
    const s = this.load();
    const next = discard(s); // refusals first
    const view = await this.d.reads.view();
    if (s.draft!.state !== "copying") this.refuseWhileOnline(s, view, "discard");
    await this.unexport(s, view);
    this.save(next);
    // A copy still running elsewhere stops at its next look and removes what it wrote.
    this.d.fs.remove(s.draft!.path);
    return next;
  }

  async setCurrent(n: number): Promise<ImageState> {
    const s = setCurrent(this.load(), n);
    const view = await this.attach(s, n, await this.d.reads.view());
    this.save(s);
    return this.prune(s, view);
  }

  async remove(n: number): Promise<ImageState> {
    const s = this.load();
    const view = await this.d.reads.view();
    if (this.pinned().has(n)) refuse(`a reset is moving PCs onto v${n} right now: try again in a moment`);
    const next = deleteVersion(s, n, this.usedBy(s, view, n));
    const v = version(s, n)!;
    for (const l of view.loops.filter((l) => l.backFile === v.path && l.readOnly)) await check(this.d.run, losetup.detach(l.name));
    this.save(next);
    this.d.fs.remove(v.path);
    return next;
  }

  /**
   * After anything that can free a version (a publish, a rollback, PCs reset onto another version):
   * loops of versions that are not current and that no live table uses are detached, and versions
   * beyond storage.keepVersions that no PC sits on are deleted.
   */
  async prune(s: ImageState, view: HostView): Promise<ImageState> {
    await this.detachStale(s, view);
    // Kept: the current version, every version a PC sits on (its live table, or its record: a PC in
    // the middle of a reset is recorded on the version its table is rebuilt over), and pinned ones.
    const inUse = new Set([...view.tables.values()].filter((t) => t.target === "snapshot").map((t) => t.params.split(" ")[0]));
    const on = new Set([...this.sitsOn(s, view).values(), ...this.pinned()]);
    for (const v of s.versions) {
      if (v.n === s.current || on.has(v.n)) continue;
      for (const l of view.loops.filter((l) => l.backFile === v.path && l.readOnly && !inUse.has(l.majMin))) await check(this.d.run, losetup.detach(l.name));
    }
    let next = s;
    for (const n of expired(s, this.d.lineage.keepVersions, (n) => on.has(n))) {
      next = deleteVersion(next, n, []);
      this.save(next);
      this.d.fs.remove(version(s, n)!.path);
    }
    return next;
  }

  record(ids: readonly number[], n: number): void {
    let s = this.load();
    for (const id of ids) s = recordPc(s, id, n);
    this.save(s);
  }

  // ── repair ─────────────────────────────────────────────────────────────────────────────────
  /**
   * What a dead process left: a draft still copying (its process gone) is deleted with whatever
   * export or loop it got; a publish past its first half is finished; a ready draft gets its loop
   * and export back; PCs' records follow their live tables. The actions taken, in words.
   */
  async repair(): Promise<string[]> {
    if (this.d.fs.read(this.file) === null) return [];
    let s = this.load();
    const actions: string[] = [];
    let view = await this.d.reads.view("optional");
    const d = s.draft;
    if (d?.state === "copying" && (d.pid === this.d.pid || !this.d.fs.exists(`/proc/${d.pid}`)) && this.copying?.n !== d.n) {
      await this.unexport(s, view);
      this.d.fs.remove(d.path);
      s = { ...s, draft: null };
      this.save(s);
      actions.push(`draft-v${d.n}-deleted`);
    } else if (d?.state === "publishing") {
      await this.unexport(s, view);
      s = this.finishPublish(s);
      actions.push(`v${d.n}-published`);
    } else if (d?.state === "ready" && !view.iscsiError) {
      if (!view.loops.some((l) => l.backFile === d.path && !l.readOnly)) {
        await check(this.d.run, losetup.attach(d.path, false));
        view = { ...view, loops: await this.d.reads.loops() };
        actions.push(`draft-v${d.n}-attached`);
      }
      // Not exported as it should be (no target, not bound, no LUN, a LUN without the system disk's
      // identity: a tgtd restart, a kill during the export): whatever is missing, made.
      const spec = this.updateSpec(s, view);
      if (!spec || !exportedFor(this.d.backend, spec, view.iscsi.get(spec.iqn))) {
        await this.export(spec!, view);
        actions.push(`draft-v${d.n}-exported`);
      }
    }
    const on = this.sitsOn(s, view);
    const fixed = [...on].filter(([id, n]) => s.pcs[String(id)] !== n);
    if (fixed.length) {
      for (const [id, n] of fixed) s = recordPc(s, id, n);
      this.save(s);
    }
    return actions;
  }
}
