import type { Command, CommandResult, Runner } from "@/lib/host/command";
import type { FsPort } from "@/helper/storage/fs-port";
import type { LockHolder } from "@/helper/storage/locks";
import type { DmOps } from "@/helper/storage/reset-plan";

interface FakeDevice {
  live: string | null;
  inactive: string | null;
  suspended: boolean;
}

/**
 * A tiny stand-in for losetup/dmsetup/tgtadm, the dm worker and the filesystem that keeps enough
 * state to answer the helper's reads. Every command is recorded; `failWhen` makes chosen commands
 * (and worker requests, written "worker <op> <name>") fail like the real tools.
 */
export class FakeStorage {
  calls: string[] = [];
  loops: { name: string; backFile: string; ro: boolean; ino: number; deleted?: boolean }[] = [];
  dm = new Map<string, FakeDevice>();
  /** A target's ACL: absent (a test's own target) reads as ALL; one made by tgtadm starts empty until bound. */
  targets = new Map<number, { iqn: string; lun1?: string; initiators?: { iqn: string; ip: string }[]; acl?: string[] }>();
  /** /dev/mapper nodes that are missing although the device exists (a host without udev, a kill mid-create). */
  noNode = new Set<string>();
  files = new Map<string, { size: number; ino: number; text?: string }>();
  failWhen: ((argv: string) => string | null)[] = [];
  tgtdDown = false;
  freeBytes = 100 * 1024 ** 3;
  /** The image store shares blocks (reflink): a copy then takes no space and is "reflink". */
  reflink = false;
  /** Devices some other process holds open (dmsetup remove fails with EBUSY). */
  held = new Set<string>();
  /** Lock files another process holds. */
  lockedElsewhere = new Set<string>();
  locks = new Set<string>();
  private nextIno = 100;

  runner: Runner = async (cmd: Command) => this.exec(cmd);

  constructor() {
    // The target's admin tool is installed (a test removes it to see the error).
    this.addFile("/usr/sbin/tgtadm", 1);
  }

  addFile(path: string, size: number): void {
    this.files.set(path, { size, ino: this.nextIno++ });
  }

  fs: FsPort = {
    exists: (p) => this.files.has(p) || (p.startsWith("/dev/mapper/") && this.dm.has(p.slice(12)) && !this.noNode.has(p.slice(12))),
    read: (p) => this.files.get(p)?.text ?? (this.files.has(p) ? "" : null),
    size: (p) => this.files.get(p)?.size ?? null,
    stat: (p) => {
      const f = this.files.get(p);
      return f ? { ino: f.ino, size: f.size } : null;
    },
    freeBytes: () => this.freeBytes,
    sizeBytes: () => 200 * 1024 ** 3,
    shrink: (path, ino, bytes) => {
      const f = this.files.get(path);
      if (!f || f.ino !== ino) throw new Error(`${path} is no longer the COW file in use (inode changed): not cutting it`);
      this.calls.push(`shrink ${path} ${bytes}`);
      this.freeBytes += f.size - bytes;
      f.size = bytes;
    },
    createSized: (p, b) => {
      if (this.files.has(p)) throw new Error("EEXIST");
      this.addFile(p, b);
    },
    truncate: (p, b) => {
      const f = this.files.get(p)!;
      this.freeBytes -= b - f.size;
      f.size = b;
    },
    mkdirp: () => undefined,
    list: (d) => [...this.files.keys()].filter((f) => f.startsWith(d + "/")).map((f) => f.slice(d.length + 1)),
    writeAtomic: (p, c) => void this.files.set(p, { size: c.length, ino: this.files.get(p)?.ino ?? this.nextIno++, text: c }),
    remove: (p) => void this.files.delete(p),
    zeroHeader: (path, ino) => {
      const f = this.files.get(path);
      if (!f || f.ino !== ino) throw new Error(`${path} is no longer the COW file in use (inode changed): not zeroing it`);
      this.calls.push(`zero-header ${path}`);
    },
    writeDurable: (p, c) => void this.files.set(p, { size: c.length, ino: this.files.get(p)?.ino ?? this.nextIno++, text: c }),
    rename: (from, to) => {
      const f = this.files.get(from);
      if (!f) throw new Error(`ENOENT: ${from}`);
      this.files.delete(from);
      this.files.set(to, f);
      this.calls.push(`rename ${from} ${to}`);
    },
    chmod: (p, mode) => void this.calls.push(`chmod ${mode.toString(8)} ${p}`),
    sync: (p) => void this.calls.push(`fsync ${p}`),
    canReflink: () => this.reflink,
    copyImage: async (src, dst, progress, stop, shareOnly) => {
      const f = this.files.get(src);
      if (!f) throw new Error(`ENOENT: ${src}`);
      if (this.files.has(dst)) throw new Error(`EEXIST: ${dst}`);
      if (this.reflink) {
        this.calls.push(`reflink ${src} ${dst}`);
        this.addFile(dst, 0);
        this.files.get(dst)!.size = f.size; // shared blocks: no space taken
        progress(f.size);
        return "reflink";
      }
      if (shareOnly) throw new Error("the filesystem did not share the image's blocks this time, and there is no room for a real copy");
      this.calls.push(`copy ${src} ${dst}`);
      this.addFile(dst, 0);
      for (let done = 0; done < f.size; ) {
        await this.copyGate?.();
        if (stop()) {
          this.files.delete(dst);
          throw new Error("the copy was stopped (the draft was discarded)");
        }
        const msg = this.fail(`copy ${src} ${dst}`);
        if (msg) {
          this.files.delete(dst);
          throw new Error(msg);
        }
        done = Math.min(f.size, done + Math.ceil(f.size / 4));
        const out = this.files.get(dst);
        if (out) out.size = done; // (removed meanwhile: the writes go to an unlinked inode)
        progress(done);
      }
      return "copy";
    },
  };

  /** Awaited before each copied quarter: a test can hold a copy half way. */
  copyGate: (() => Promise<void>) | null = null;

  private fail(argv: string): string | null {
    for (const f of this.failWhen) {
      const msg = f(argv);
      if (msg) return msg;
    }
    return null;
  }

  private device(name: string): FakeDevice {
    const d = this.dm.get(name);
    if (!d) throw new Error(`No such device or address`);
    return d;
  }

  /** The dm worker's requests (a batch of devices at once, failures by device). */
  worker: DmOps & LockHolder = {
    wipe: async (devs) => this.batch(devs.map((d) => [d.name, `wipe ${d.name} ${d.sectors}`, () => Object.assign(this.device(d.name), { live: `0 ${d.sectors} error`, inactive: null, suspended: false })])),
    load: async (devs) => this.batch(devs.map((d) => [d.name, `load ${d.name} ${d.table}`, () => void (this.device(d.name).inactive = d.table)])),
    resume: async (names) =>
      this.batch(
        names.map((n) => [
          n,
          `resume ${n}`,
          () => {
            const d = this.device(n);
            if (d.inactive) Object.assign(d, { live: d.inactive, inactive: null });
            d.suspended = false;
          },
        ]),
      ),
    clear: async (names) => this.batch(names.map((n) => [n, `clear ${n}`, () => void (this.device(n).inactive = null)])),
    lock: async (path) => {
      if (this.lockedElsewhere.has(path)) return false;
      this.locks.add(path);
      return true;
    },
    unlock: async (path) => void this.locks.delete(path),
  };

  private batch(ops: [string, string, () => void][]): Map<string, Error> {
    const failed = new Map<string, Error>();
    for (const [name, line, fn] of ops) {
      this.calls.push(`worker ${line}`);
      const msg = this.fail(`worker ${line}`);
      try {
        if (msg) throw new Error(msg);
        fn();
      } catch (e) {
        failed.set(name, e as Error);
      }
    }
    return failed;
  }

  private ok(stdout = ""): CommandResult {
    return { code: 0, stdout, stderr: "" };
  }

  private loopOf(majMin: string) {
    return this.loops.find((l) => `7:${l.name.replace("/dev/loop", "")}` === majMin);
  }

  private exec(cmd: Command): CommandResult {
    const argv = [cmd.file, ...cmd.args].join(" ");
    this.calls.push(argv);
    const msg = this.fail(argv);
    if (msg) return { code: 1, stdout: "", stderr: msg };
    const a = cmd.args;
    const tool = cmd.file.split("/").pop();
    if (tool === "losetup") {
      if (a[0] === "--list")
        return this.ok(
          JSON.stringify({
            loopdevices: this.loops.map((l) => ({
              name: l.name,
              "back-file": l.backFile + (l.deleted ? " (deleted)" : ""),
              "back-ino": l.ino,
              "maj:min": `7:${l.name.replace("/dev/loop", "")}`,
              ro: l.ro,
            })),
          }),
        );
      if (a[0] === "--find") {
        const used = new Set(this.loops.map((l) => l.name));
        let n = 0;
        while (used.has(`/dev/loop${n}`)) n++;
        const file = a[a.length - 1]!;
        this.loops.push({ name: `/dev/loop${n}`, backFile: file, ro: a.includes("--read-only"), ino: this.files.get(file)?.ino ?? 0 });
        return this.ok(`/dev/loop${n}\n`);
      }
      if (a[0] === "--detach") this.loops = this.loops.filter((l) => l.name !== a[1]);
      return this.ok();
    }
    if (tool === "dmsetup") {
      const lines = (f: (n: string, d: FakeDevice) => string | null) =>
        [...this.dm].map(([n, d]) => f(n, d)).filter((l) => l !== null).join("\n") || "No devices found\n";
      if (a[0] === "status")
        return this.ok(lines((n, d) => (d.live === null ? null : d.live.includes(" snapshot ") ? `${n}: ${d.live.split(" ").slice(0, 3).join(" ")} 16/32768 16` : `${n}: ${d.live}`)));
      if (a[0] === "table") return this.ok(lines((n, d) => (d.live === null ? null : `${n}: ${d.live}`)));
      if (a[0] === "info") return this.ok(lines((n, d) => `${n}:${d.live ? "L" : "-"}${d.inactive ? "I" : "-"}${d.suspended ? "s" : "-"}w:0`));
      const name = a[1]!;
      if (a[0] === "create") {
        if (this.dm.has(name)) return { code: 1, stdout: "", stderr: "device-mapper: create ioctl failed: Device or resource busy" };
        const table = a[3]!;
        const [, , , origin, cow] = table.split(" ");
        if (!this.loopOf(origin!) || !this.loopOf(cow!)) return { code: 1, stdout: "", stderr: "device-mapper: reload ioctl failed: No such device or address" };
        this.dm.set(name, { live: table, inactive: null, suspended: false });
      }
      if (a[0] === "remove") {
        if ([...this.targets.values()].some((t) => t.lun1 === `/dev/mapper/${name}`) || this.held.has(name))
          return { code: 1, stdout: "", stderr: `device-mapper: remove ioctl on ${name} failed: Device or resource busy` };
        this.dm.delete(name);
        this.noNode.delete(name);
      }
      if (a[0] === "resume") this.device(name).suspended = false;
      if (a[0] === "mknodes") this.noNode.delete(name);
      return this.ok();
    }
    if (tool === "tgtadm") {
      if (this.tgtdDown) return { code: 107, stdout: "", stderr: "tgtadm: failed to send request hdr to tgt daemon, Transport endpoint is not connected" };
      const opt = (k: string) => a[a.indexOf(k) + 1]!;
      if (opt("--op") === "show") {
        return this.ok(
          [...this.targets]
            .map(([tid, t]) => `Target ${tid}: ${t.iqn}\n    I_T nexus information:\n${(t.initiators ?? []).map((i, n) => `        I_T nexus: ${n + 1}\n            Initiator: ${i.iqn} alias: none\n            Connection: 0\n                IP Address: ${i.ip}\n`).join("")}    LUN information:\n        LUN: 0\n            Backing store path: None\n${t.lun1 ? `        LUN: 1\n            Backing store path: ${t.lun1}\n` : ""}    Account information:\n    ACL information:\n${(t.acl ?? ["ALL"]).map((a) => `        ${a}\n`).join("")}`)
            .join(""),
        );
      }
      const tid = Number(opt("--tid"));
      if (opt("--mode") === "target" && opt("--op") === "new") this.targets.set(tid, { iqn: opt("-T"), acl: [] });
      if (opt("--mode") === "target" && opt("--op") === "bind") this.targets.get(tid)!.acl?.push(opt("-I"));
      if (opt("--mode") === "target" && opt("--op") === "delete") this.targets.delete(tid);
      if (opt("--mode") === "logicalunit" && opt("--op") === "new") {
        const dev = opt("-b");
        // tgtd opens the backing path: a missing node is its "invalid request".
        if (dev.startsWith("/dev/mapper/") && !this.fs.exists(dev)) return { code: 22, stdout: "", stderr: "tgtadm: invalid request" };
        this.targets.get(tid)!.lun1 = dev;
      }
      if (opt("--mode") === "logicalunit" && opt("--op") === "delete") delete this.targets.get(tid)!.lun1;
      return this.ok();
    }
    return this.ok();
  }

  /** Mutating commands and worker requests only (reads filtered out), for asserting sequences. */
  mutations(): string[] {
    return this.calls.filter((c) => !/--list|dmsetup status|dmsetup info|dmsetup table|--op show/.test(c));
  }
}
