import type { Config } from "../../../config/schema";
import type { Command, CommandResult, Runner } from "../../command";
import type { HelperIo } from "../../../../helper/run-helper";
import { runCommand } from "./commands";
import { SimDm, type DmDevice, type Snap } from "./dm";
import type { FaultRule, KillRule } from "./faults";
import { GiB, SimFiles, type CowStore, type Inode } from "./files";
import { loopNumber, type Loop } from "./loop";
import { READ_OP, SimProcess } from "./process";
import { lunPathsOf, SimTgt, type Session, type Target } from "./tgt";

export interface KernelOptions {
  /** The host filesystem's size (default 200 GiB) and how much of it other data takes. */
  storeBytes?: number;
  otherBytes?: number;
  /** Latency of every mutating command and dm worker request, so a reset's steps can be watched. */
  stepMs?: number;
  /** The pid of the default process (`runner`, `fs`, `worker`). */
  pid?: number;
}

/**
 * An in-memory Linux storage host, for the helper's own code to run on (helper/run-helper.ts's
 * HelperIo): what matters of the kernel and its tools, faithfully enough that the helper cannot
 * tell — files with sizes, inodes and a filesystem's free space; loop devices holding an inode
 * (" (deleted)" once unlinked), with their own capacity; device-mapper devices with live and
 * inactive tables, suspend/resume and snapshot instances counting exceptions and metadata as
 * dm-snap-persistent does (Invalid when a P store fills, Overflow in PO, handover of a live
 * instance's exceptions on reload); tgtd's targets, LUNs, ACLs and sessions; flocks held by
 * processes and released when they die.
 *
 * Public API (tests, the demo room and the conformance suite use these):
 *   spawn(pid?)               a new process: { pid, run, fs, worker, kill() } — one helper invocation
 *   io(config, opts)          a HelperIo for runHelper over a new process: { io, process }
 *   runner / fs / worker      the default process's ports (pid `options.pid`, default 100)
 *   failWhen: FaultRule[]     (op) → error text or null; the op fails like the real one, nothing changes
 *                             (op names: see faults.ts)
 *   killWhen(match, pid?)     from the first op `match` accepts, that process is dead: that op and every
 *                             later one fail without changing anything, its flocks are released —
 *                             a helper killed just before that op. kill(pid) kills at once.
 *   calls / mutations()       every op made (commands as argv lines, worker and fs ops); mutations
 *                             without the reads
 *   write(dm, bytes)          a PC writes new data through its snapshot: "ok" | "invalid" | "overflow" | "no-snapshot"
 *   login(iqn, s) / logout(iqn) / sessionOpen(iqn)   an initiator's session at a target
 *   snapshotUsage(dm)         { usedSectors, totalSectors } of a live valid snapshot, else null
 *   toJSON() / SimKernel.fromJSON(json, options)     the whole state (processes and locks do not survive)
 * State, to stage situations directly: files (path → Inode), loops, dm (name → tables), targets
 * (tid → Target), noNode, held, lockedElsewhere, locks, freeBytes, tgtdDown, reflink, copyGate.
 */
export class SimKernel {
  readonly fsys: SimFiles;
  loops: Loop[] = [];
  readonly dmk: SimDm;
  readonly tgt: SimTgt;
  calls: string[] = [];
  failWhen: FaultRule[] = [];
  killRules: KillRule[] = [];
  /** flock path → pid of the process holding it. */
  locks = new Map<string, number>();
  /** Lock files a process outside the simulation holds. */
  lockedElsewhere = new Set<string>();
  /** The filesystem shares blocks (reflink): a copy takes no space. */
  reflink = false;
  /** Awaited before each copied quarter of an image: a test can hold a copy half way. */
  copyGate: (() => Promise<void>) | null = null;
  stepMs: number;
  private readonly processes = new Map<number, SimProcess>();
  private nextPid = 1000;
  /** Called after every change (the demo room persists on it). */
  onChange: (() => void) | null = null;
  private readonly main: SimProcess;

  constructor(opts: KernelOptions = {}) {
    this.fsys = new SimFiles(opts.storeBytes ?? 200 * GiB);
    this.fsys.otherBytes = opts.otherBytes ?? (opts.storeBytes === undefined ? 100 * GiB : 0);
    this.stepMs = opts.stepMs ?? 0;
    this.dmk = new SimDm(
      this.fsys,
      () => this.loops,
      () => [...this.tgt.targets.values()].flatMap(lunPathsOf),
    );
    this.tgt = new SimTgt((p) => this.exists(p));
    // The target's admin tool is installed (a test removes it to see the error).
    this.fsys.add("/usr/sbin/tgtadm", 1);
    this.main = this.spawn(opts.pid ?? 100);
  }

  // ── compatibility views of the state ────────────────────────────────────────────────────────
  get files(): Map<string, Inode> {
    return this.fsys.files;
  }
  get dm(): Map<string, DmDevice> {
    return this.dmk.devices;
  }
  get targets(): Map<number, Target> {
    return this.tgt.targets;
  }
  get noNode(): Set<string> {
    return this.dmk.noNode;
  }
  get held(): Set<string> {
    return this.dmk.held;
  }
  get freeBytes(): number {
    return this.fsys.freeBytes;
  }
  set freeBytes(n: number) {
    this.fsys.freeBytes = n;
  }
  get tgtdDown(): boolean {
    return this.tgt.down;
  }
  /** tgtd dies (true) or starts again (false). Its targets, LUNs and sessions live only in the daemon: a dead one loses them all, and it starts empty. */
  set tgtdDown(v: boolean) {
    if (v) this.tgt.targets.clear();
    this.tgt.down = v;
  }
  get runner(): Runner {
    return this.main.run;
  }
  get fs() {
    return this.main.fs;
  }
  get worker() {
    return this.main.worker;
  }

  /** A file of `size` bytes, fully allocated (a master image put in the store). */
  addFile(path: string, size: number): Inode {
    return this.fsys.add(path, size);
  }

  // ── processes ──────────────────────────────────────────────────────────────────────────────
  spawn(pid?: number): SimProcess {
    const p = new SimProcess(this, pid ?? this.nextPid++);
    this.processes.set(p.pid, p);
    return p;
  }

  /** The process dies: its flocks go with it; every later operation of it fails. */
  kill(pid: number): void {
    const p = this.processes.get(pid);
    if (p) p.alive = false;
    for (const [path, holder] of this.locks) if (holder === pid) this.locks.delete(path);
  }

  /** Kills the process (any, or `pid`) that makes the first operation `match` accepts, before it runs. */
  killWhen(match: (op: string) => boolean, pid?: number): void {
    this.killRules.push({ match, ...(pid !== undefined ? { pid } : {}) });
  }

  alive(pid: number): boolean {
    return this.processes.get(pid)?.alive === true;
  }

  /** The ports runHelper takes, for one helper process on this kernel. */
  io(
    config: () => Config,
    opts: { stateDir?: string; libDir?: string; event?: (line: string) => void; agent?: HelperIo["agent"]; pid?: number } = {},
  ): { io: HelperIo; process: SimProcess } {
    const p = this.spawn(opts.pid);
    return {
      process: p,
      io: {
        config,
        run: p.run,
        fs: p.fs,
        dm: () => p.worker,
        stateDir: opts.stateDir ?? "/run/cowherd",
        libDir: opts.libDir ?? "/var/lib/cowherd-helper",
        event: opts.event ?? (() => undefined),
        pid: p.pid,
        ...(opts.agent ? { agent: opts.agent } : {}),
      },
    };
  }

  // ── what the processes reach ───────────────────────────────────────────────────────────────
  command(cmd: Command): CommandResult {
    const r = runCommand(this, cmd);
    if (!READ_OP.test([cmd.file, ...cmd.args].join(" "))) this.changed();
    return r;
  }

  exists(p: string): boolean {
    if (this.fsys.files.has(p)) return true;
    let m: RegExpExecArray | null;
    if ((m = /^\/dev\/mapper\/(.+)$/.exec(p))) return this.dmk.devices.has(m[1]!) && !this.dmk.noNode.has(m[1]!);
    if ((m = /^\/dev\/loop(\d+)$/.exec(p))) return this.loops.some((l) => loopNumber(l.name) === Number(m![1]));
    if ((m = /^\/proc\/(\d+)$/.exec(p))) return this.alive(Number(m[1]));
    if ((m = /^\/sys\/block\/loop(\d+)\/size$/.exec(p))) return this.loops.some((l) => loopNumber(l.name) === Number(m![1]));
    return false;
  }

  read(p: string): string | null {
    const m = /^\/sys\/block\/loop(\d+)\/size$/.exec(p);
    const loop = m && this.loops.find((l) => loopNumber(l.name) === Number(m[1]));
    if (loop) return `${loop.sectors ?? 0}\n`;
    const f = this.fsys.files.get(p);
    return f ? (f.text ?? "") : null;
  }

  /** Something still holds the inode open (a loop device). */
  private holds(ino: number): boolean {
    return this.loops.some((l) => l.ino === ino);
  }

  unlink(p: string): void {
    const f = this.fsys.files.get(p);
    if (!f) return;
    this.fsys.unlink(p, (ino) => this.holds(ino));
    for (const l of this.loops) if (l.ino === f.ino && ![...this.fsys.files.values()].some((g) => g.ino === f.ino)) l.deleted = true;
  }

  /** Loops detached while in use go once no table holds them; orphaned inodes nobody holds are freed. */
  sweep(): void {
    if (this.loops.some((l) => l.autoclear)) this.loops = this.loops.filter((l) => !l.autoclear || this.dmk.usesDevice(`7:${loopNumber(l.name)}`));
    for (const ino of [...this.fsys.orphans.keys()]) this.fsys.release(ino, (i) => this.holds(i));
  }

  changed(): void {
    this.onChange?.();
  }

  /** Mutating operations only (reads filtered out), for asserting sequences. */
  mutations(): string[] {
    return this.calls.filter((c) => !READ_OP.test(c));
  }

  // ── the simulated PCs ──────────────────────────────────────────────────────────────────────
  write(dmName: string, bytes: number): "ok" | "invalid" | "overflow" | "no-snapshot" {
    const r = this.dmk.write(dmName, bytes);
    if (r !== "no-snapshot") this.changed();
    return r;
  }

  /** Stages what a killed helper leaves behind: an error table, a suspended device, a LUN offline. */
  stage(dmName: string, what: "error-table" | "suspended" | "lun-offline"): void {
    const d = this.dmk.devices.get(dmName);
    if (what === "lun-offline") this.lunsOff(dmName);
    if (what === "error-table" && d?.live) this.dmk.wipe(dmName, Number(d.live.split(" ")[1]));
    if (what === "suspended" && d) d.suspended = true;
    this.changed();
  }

  /** A device gone from under its LUN (a test's staging: its LUN offline, then `dmsetup remove`). */
  removeDevice(dmName: string): void {
    this.lunsOff(dmName);
    if (this.dmk.devices.has(dmName)) this.dmk.remove(dmName);
    this.sweep();
    this.changed();
  }

  /** Every LUN exporting the device, gone. */
  private lunsOff(dmName: string): void {
    for (const t of this.tgt.targets.values()) {
      if (t.lun1 === `/dev/mapper/${dmName}`) delete t.lun1;
      if (t.lun2 === `/dev/mapper/${dmName}`) delete t.lun2;
    }
  }

  snapshotUsage(dmName: string): { usedSectors: number; totalSectors: number } | null {
    const s = this.dmk.snapshot(dmName);
    if (!s || s.snap.store.invalid || s.snap.overflow) return null;
    const status = this.dmk.snapshotStatus(s.snap, s.loop).split(/[/ ]/);
    return { usedSectors: Number(status[0]), totalSectors: Number(status[1]) };
  }

  login(targetIqn: string, s: Session): boolean {
    const ok = this.tgt.login(targetIqn, s);
    if (ok) this.changed();
    return ok;
  }

  logout(targetIqn: string): void {
    this.tgt.logout(targetIqn);
    this.changed();
  }

  /** One initiator's session ends (the others at that target stay). */
  logoutInitiator(targetIqn: string, initiatorIqn: string): void {
    const t = [...this.tgt.targets.values()].find((x) => x.iqn === targetIqn);
    if (!t?.initiators) return;
    t.initiators = t.initiators.filter((i) => i.iqn !== initiatorIqn);
    if (!t.initiators.length) delete t.initiators;
    this.changed();
  }

  sessionOf(targetIqn: string, initiatorIqn: string): boolean {
    return !![...this.tgt.targets.values()].find((x) => x.iqn === targetIqn)?.initiators?.some((i) => i.iqn === initiatorIqn);
  }

  sessionOpen(targetIqn: string): boolean {
    return this.tgt.sessionOpen(targetIqn);
  }

  // ── persistence ────────────────────────────────────────────────────────────────────────────
  toJSON(): KernelJson {
    // Exception stores are shared (an inode's and the live instance's): numbered once each.
    const stores: CowStore[] = [];
    const ref = (s: CowStore | undefined) => {
      if (!s) return undefined;
      let i = stores.indexOf(s);
      if (i < 0) i = stores.push(s) - 1;
      return i;
    };
    const inode = (f: Inode) => ({ ...f, cow: ref(f.cow) });
    const snap = (s: Snap) => ({ ...s, store: ref(s.store)! });
    return {
      version: 1,
      sizeBytes: this.fsys.sizeBytes,
      otherBytes: this.fsys.otherBytes,
      nextIno: this.fsys.nextIno,
      files: [...this.fsys.files].map(([p, f]) => [p, inode(f)]),
      orphans: [...this.fsys.orphans.values()].map(inode),
      loops: this.loops,
      dm: [...this.dmk.devices],
      live: [...this.dmk.live].map(([n, s]) => [n, snap(s)]),
      inactive: [...this.dmk.inactive].map(([n, s]) => [n, snap(s)]),
      noNode: [...this.dmk.noNode],
      targets: [...this.tgt.targets],
      stores,
    };
  }

  static fromJSON(json: KernelJson, opts: KernelOptions = {}): SimKernel {
    if (json?.version !== 1) throw new Error("not a simulated kernel's state (version 1)");
    const k = new SimKernel({ ...opts, storeBytes: json.sizeBytes, otherBytes: json.otherBytes });
    const stores = json.stores.map((s) => ({ ...s }));
    const inode = (f: JsonInode): Inode => {
      const { cow, ...rest } = f;
      return { ...rest, ...(cow !== undefined ? { cow: stores[cow]! } : {}) };
    };
    k.fsys.files = new Map(json.files.map(([p, f]) => [p, inode(f)]));
    k.fsys.orphans = new Map(json.orphans.map((f) => [f.ino, inode(f)]));
    k.fsys.nextIno = json.nextIno;
    k.loops = json.loops.map((l) => ({ ...l }));
    k.dmk.devices = new Map(json.dm.map(([n, d]) => [n, { ...d }]));
    const snap = (s: JsonSnap): Snap => ({ ...s, store: stores[s.store]! });
    k.dmk.live = new Map(json.live.map(([n, s]) => [n, snap(s)]));
    k.dmk.inactive = new Map(json.inactive.map(([n, s]) => [n, snap(s)]));
    k.dmk.noNode = new Set(json.noNode);
    // tgtd keeps its sessions only while the PCs stay connected: they come back with the kernel's state.
    k.tgt.targets = new Map(json.targets.map(([tid, t]) => [tid, { ...t }]));
    return k;
  }
}

type JsonInode = Omit<Inode, "cow"> & { cow?: number | undefined };
type JsonSnap = Omit<Snap, "store"> & { store: number };

export interface KernelJson {
  version: 1;
  sizeBytes: number;
  otherBytes: number;
  nextIno: number;
  files: [string, JsonInode][];
  orphans: JsonInode[];
  loops: Loop[];
  dm: [string, DmDevice][];
  live: [string, JsonSnap][];
  inactive: [string, JsonSnap][];
  noNode: string[];
  targets: [number, Target][];
  stores: CowStore[];
}
