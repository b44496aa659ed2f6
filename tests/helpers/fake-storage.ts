import type { Command, CommandResult, Runner } from "@/lib/host/commands/command";
import type { FsPort } from "@/lib/host/storage/fs-port";

/**
 * A tiny stand-in for losetup/dmsetup/tgtadm/dd that keeps enough state to answer the helper's
 * reads. Every command is recorded; `failWhen` makes chosen commands fail like the real tools.
 */
export class FakeStorage {
  calls: string[] = [];
  loops: { name: string; backFile: string; ro: boolean }[] = [];
  dm = new Map<string, { table: string; suspended: boolean }>();
  targets = new Map<number, { iqn: string; lun1?: string }>();
  files = new Map<string, number>();
  failWhen: ((argv: string) => string | null)[] = [];
  tgtdDown = false;
  /** Devices some other process holds open (dmsetup remove fails with EBUSY). */
  held = new Set<string>();

  runner: Runner = async (cmd: Command) => this.exec(cmd);

  fs: FsPort = {
    exists: (p) => this.files.has(p),
    read: (p) => (this.files.has(p) ? String(this.files.get(p)) : null),
    size: (p) => this.files.get(p) ?? null,
    createSized: (p, b) => {
      if (this.files.has(p)) throw new Error("EEXIST");
      this.files.set(p, b);
    },
    extend: (p, b) => void this.files.set(p, b),
    mkdirp: () => undefined,
    list: (d) => [...this.files.keys()].filter((f) => f.startsWith(d + "/")).map((f) => f.slice(d.length + 1)),
    createExclusive: (p, c) => {
      if (this.files.has(p)) return false;
      this.files.set(p, Number(c));
      return true;
    },
    remove: (p) => void this.files.delete(p),
    zeroHeader: (dev) => {
      this.calls.push(`zero-header ${dev}`);
    },
  };

  private ok(stdout = ""): CommandResult {
    return { code: 0, stdout, stderr: "" };
  }

  private exec(cmd: Command): CommandResult {
    const argv = [cmd.file, ...cmd.args].join(" ");
    this.calls.push(argv);
    for (const f of this.failWhen) {
      const msg = f(argv);
      if (msg) return { code: 1, stdout: "", stderr: msg };
    }
    const a = cmd.args;
    const tool = cmd.file.split("/").pop();
    if (tool === "losetup") {
      if (a[0] === "--list") return this.ok(JSON.stringify({ loopdevices: this.loops.map((l) => ({ name: l.name, "back-file": l.backFile, ro: l.ro })) }));
      if (a[0] === "--find") {
        const name = `/dev/loop${this.loops.length}`;
        this.loops.push({ name, backFile: a[a.length - 1]!, ro: a.includes("--read-only") });
        return this.ok(name + "\n");
      }
      if (a[0] === "--detach") this.loops = this.loops.filter((l) => l.name !== a[1]);
      return this.ok();
    }
    if (tool === "dmsetup") {
      if (a[0] === "status") return this.ok([...this.dm.keys()].map((n) => `${n}: 0 131072 snapshot 16/32768 16`).join("\n") || "No devices found\n");
      if (a[0] === "info") return this.ok([...this.dm].map(([n, d]) => `${n}:${d.suspended ? "Suspended" : "Active"}:0`).join("\n") || "No devices found\n");
      const name = a[1]!;
      if (a[0] === "create" && a[1] === "--concise") {
        // Like dmsetup: devices in order, stopping at the first failure.
        for (const spec of a[2]!.split(";")) {
          const [n, , , , table] = spec.split(",");
          if (this.dm.has(n!)) return { code: 1, stdout: "", stderr: "device-mapper: create ioctl failed: Device or resource busy" };
          this.dm.set(n!, { table: table!, suspended: false });
        }
        return this.ok();
      }
      if (a[0] === "create") {
        if (this.dm.has(name)) return { code: 1, stdout: "", stderr: "device-mapper: create ioctl failed: Device or resource busy" };
        this.dm.set(name, { table: a[3]!, suspended: false });
      }
      if (a[0] === "remove") {
        let failed = "";
        for (const n of a.slice(1)) {
          if ([...this.targets.values()].some((t) => t.lun1 === `/dev/mapper/${n}`) || this.held.has(n)) failed += `device-mapper: remove ioctl on ${n} failed: Device or resource busy\n`;
          else this.dm.delete(n);
        }
        if (failed) return { code: 1, stdout: "", stderr: failed };
      }
      if (a[0] === "suspend") this.dm.get(name)!.suspended = true;
      if (a[0] === "resume") this.dm.get(name)!.suspended = false;
      return this.ok();
    }
    if (tool === "tgtadm") {
      if (this.tgtdDown) return { code: 107, stdout: "", stderr: "tgtadm: failed to send request hdr to tgt daemon, Transport endpoint is not connected" };
      const opt = (k: string) => a[a.indexOf(k) + 1]!;
      if (opt("--op") === "show") {
        return this.ok(
          [...this.targets]
            .map(([tid, t]) => `Target ${tid}: ${t.iqn}\n    LUN information:\n        LUN: 0\n            Backing store path: None\n${t.lun1 ? `        LUN: 1\n            Backing store path: ${t.lun1}\n` : ""}`)
            .join(""),
        );
      }
      const tid = Number(opt("--tid"));
      if (opt("--mode") === "target" && opt("--op") === "new") this.targets.set(tid, { iqn: opt("-T") });
      if (opt("--mode") === "target" && opt("--op") === "delete") this.targets.delete(tid);
      if (opt("--mode") === "logicalunit" && opt("--op") === "new") this.targets.get(tid)!.lun1 = opt("-b");
      if (opt("--mode") === "logicalunit" && opt("--op") === "delete") delete this.targets.get(tid)!.lun1;
      return this.ok();
    }
    return this.ok();
  }

  /** Mutating commands only (reads filtered out), for asserting sequences. */
  mutations(): string[] {
    return this.calls.filter((c) => !/--list|dmsetup status|dmsetup info|--op show/.test(c));
  }
}
