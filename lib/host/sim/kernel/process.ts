import type { FsPort } from "../../../../helper/storage/fs-port";
import type { LockHolder } from "../../../../helper/storage/locks";
import type { DmOps } from "../../../../helper/storage/reset-plan";
import type { Command, CommandResult, Runner } from "../../command";
import { firstFault, KilledError } from "./faults";
import type { SimKernel } from "./kernel";

/** Operations that only look: not recorded as mutations, never delayed. */
export const READ_OP = /--list|dmsetup status|dmsetup info|dmsetup table|--op show/;

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

/**
 * One process on the simulated host (a helper invocation, or the long-lived agent): the command
 * runner, filesystem and dm worker it sees, all in its name. Once it is killed every further
 * operation fails and changes nothing; its flocks were released when it died.
 */
export class SimProcess {
  alive = true;
  readonly run: Runner;
  readonly fs: FsPort;
  readonly worker: DmOps & LockHolder;

  constructor(
    private readonly k: SimKernel,
    readonly pid: number,
  ) {
    this.run = (cmd) => this.exec(cmd);
    this.fs = this.makeFs();
    this.worker = this.makeWorker();
  }

  kill(): void {
    this.k.kill(this.pid);
  }

  /** Checks an operation before it runs: dead (or killed now) → KilledError; an injected fault → its text. */
  private guard(op: string, record = true): string | null {
    if (record) this.k.calls.push(op);
    if (this.alive && this.k.killRules.some((r, i) => (r.pid === undefined || r.pid === this.pid) && r.match(op) && (this.k.killRules.splice(i, 1), true)))
      this.kill();
    if (!this.alive) throw new KilledError(this.pid, op);
    return firstFault(this.k.failWhen, op);
  }

  private async exec(cmd: Command): Promise<CommandResult> {
    const op = [cmd.file, ...cmd.args].join(" ");
    let fault: string | null;
    try {
      if (!READ_OP.test(op)) await sleep(this.k.stepMs);
      fault = this.guard(op);
    } catch (e) {
      return { code: 137, stdout: "", stderr: (e as Error).message };
    }
    if (fault) return { code: 1, stdout: "", stderr: fault };
    return this.k.command(cmd);
  }

  /** A mutating filesystem call: guarded, recorded only where the fake kernel before it recorded it. */
  private fsOp<T>(op: string, record: boolean, fn: () => T): T {
    const fault = this.guard(op, record);
    if (fault) throw new Error(fault);
    const r = fn();
    this.k.changed();
    return r;
  }

  private look<T>(fn: () => T): T {
    if (!this.alive) throw new KilledError(this.pid, "a read");
    return fn();
  }

  private makeFs(): FsPort {
    const k = this.k;
    const files = k.fsys;
    const need = (p: string) => {
      const f = files.files.get(p);
      if (!f) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
      return f;
    };
    const sameInode = (path: string, ino: number, what: string) => {
      const f = files.files.get(path);
      if (!f || f.ino !== ino) throw new Error(`${path} is no longer the COW file in use (inode changed): not ${what} it`);
      return f;
    };
    const writeText = (p: string, content: string) => {
      const bytes = Buffer.byteLength(content);
      files.allocate(p, bytes - (files.files.get(p)?.allocated ?? files.files.get(p)?.size ?? 0));
      // Written to a temp file and renamed over: a new inode.
      k.unlink(p);
      files.add(p, bytes, { text: content });
    };
    return {
      exists: (p) => this.look(() => k.exists(p)),
      read: (p) => this.look(() => k.read(p)),
      size: (p) => this.look(() => files.files.get(p)?.size ?? null),
      stat: (p) =>
        this.look(() => {
          const f = files.files.get(p);
          return f ? { ino: f.ino, size: f.size } : null;
        }),
      freeBytes: () => this.look(() => files.freeBytes),
      sizeBytes: () => this.look(() => files.sizeBytes),
      shrink: (path, ino, bytes) =>
        this.fsOp(`shrink ${path} ${bytes}`, true, () => {
          const f = sameInode(path, ino, "cutting");
          f.size = bytes;
          f.allocated = Math.min(f.allocated ?? f.size, bytes);
        }),
      createSized: (p, bytes) =>
        this.fsOp(`create ${p}`, false, () => {
          if (files.files.has(p)) throw new Error(`EEXIST: file already exists, open '${p}'`);
          files.add(p, bytes, { allocated: 0, mode: 0o600 });
        }),
      truncate: (p, bytes) =>
        this.fsOp(`truncate ${p} ${bytes}`, false, () => {
          const f = need(p);
          f.size = bytes;
          f.allocated = Math.min(f.allocated ?? f.size, bytes);
        }),
      mkdirp: () => this.look(() => undefined),
      list: (d) =>
        this.look(() => [...files.files.keys()].filter((f) => f.startsWith(d + "/") && !f.slice(d.length + 1).includes("/")).map((f) => f.slice(d.length + 1))),
      writeAtomic: (p, c) => this.fsOp(`write ${p}`, false, () => writeText(p, c)),
      writeDurable: (p, c) => this.fsOp(`write ${p}`, false, () => writeText(p, c)),
      remove: (p) => this.fsOp(`remove ${p}`, false, () => k.unlink(p)),
      zeroHeader: (path, ino) =>
        this.fsOp(`zero-header ${path}`, true, () => {
          // The kernel reads the header only when a table is constructed: a live instance keeps its exceptions.
          delete sameInode(path, ino, "zeroing").cow;
        }),
      rename: (from, to) =>
        this.fsOp(`rename ${from} ${to}`, true, () => {
          const f = need(from);
          files.files.delete(from);
          k.unlink(to);
          files.files.set(to, f);
        }),
      chmod: (p, mode) => this.fsOp(`chmod ${mode.toString(8)} ${p}`, true, () => void (need(p).mode = mode)),
      sync: (p) => this.fsOp(`fsync ${p}`, true, () => void need(p)),
      canReflink: () => this.look(() => k.reflink),
      copyImage: async (src, dst, progress, stop, shareOnly) => {
        const f = this.look(() => need(src));
        if (files.files.has(dst)) throw new Error(`EEXIST: file already exists, copyfile '${src}' -> '${dst}'`);
        if (k.reflink) {
          this.fsOp(`reflink ${src} ${dst}`, true, () => files.add(dst, f.size, { allocated: 0 }));
          progress(f.size);
          return "reflink";
        }
        if (shareOnly) throw new Error("the filesystem did not share the image's blocks this time, and there is no room for a real copy");
        this.fsOp(`copy ${src} ${dst}`, true, () => files.add(dst, 0));
        const out = files.files.get(dst)!;
        const drop = () => {
          if (files.files.get(dst) === out) files.files.delete(dst);
        };
        for (let done = 0; done < f.size; ) {
          await k.copyGate?.();
          if (stop()) {
            drop();
            throw new Error("the copy was stopped (the draft was discarded)");
          }
          const next = Math.min(f.size, done + Math.ceil(f.size / 4));
          try {
            const fault = this.guard(`copy ${src} ${dst}`, false);
            if (fault) throw new Error(fault);
            files.allocate(dst, next - done);
          } catch (e) {
            drop();
            throw e;
          }
          done = next;
          out.size = done; // (removed meanwhile: the writes go to an unlinked inode)
          k.changed();
          progress(done);
        }
        return "copy";
      },
    };
  }

  private makeWorker(): DmOps & LockHolder {
    const k = this.k;
    const batch = async (ops: [string, string, () => void][]): Promise<Map<string, Error>> => {
      await sleep(k.stepMs);
      const failed = new Map<string, Error>();
      for (const [name, line, fn] of ops) {
        try {
          const fault = this.guard(`worker ${line}`);
          if (fault) throw new Error(fault);
          fn();
          k.changed();
        } catch (e) {
          failed.set(name, e as Error);
        }
      }
      k.sweep();
      return failed;
    };
    return {
      wipe: (devs) => batch(devs.map((d) => [d.name, `wipe ${d.name} ${d.sectors}`, () => k.dmk.wipe(d.name, d.sectors)])),
      load: (devs) => batch(devs.map((d) => [d.name, `load ${d.name} ${d.table}`, () => k.dmk.load(d.name, d.table)])),
      resume: (names) => batch(names.map((n) => [n, `resume ${n}`, () => k.dmk.resume(n)])),
      clear: (names) => batch(names.map((n) => [n, `clear ${n}`, () => k.dmk.clear(n)])),
      lock: async (path) => {
        // A request to the worker like any other: with the room's latency, so a step that takes a
        // lock (a reset's cow-zero records the version under the image lock) can be watched too.
        await sleep(k.stepMs);
        const fault = this.guard(`worker lock ${path}`, false);
        if (fault) throw new Error(fault);
        const holder = k.locks.get(path);
        if (k.lockedElsewhere.has(path) || (holder !== undefined && holder !== this.pid)) return false;
        k.locks.set(path, this.pid);
        return true;
      },
      unlock: async (path) => {
        if (!this.alive) return;
        if (k.locks.get(path) === this.pid) k.locks.delete(path);
      },
    };
  }
}
