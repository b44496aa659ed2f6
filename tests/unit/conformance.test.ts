import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config/load";
import { runHelper } from "@/helper/run-helper";
import { SimKernel } from "@/lib/host/sim/kernel/kernel";
import type { CowStore, Inode } from "@/lib/host/sim/kernel/files";
import { loopMajMin } from "@/lib/host/sim/kernel/loop";
import { MASTER_MIB, SCENARIOS, STORE, STORE_MIB, conformanceConfig, masterByte, runConformance } from "../system/conformance.mjs";
import type { Disk, Result, Rig } from "../system/conformance.mjs";

// The conformance suite's simulated side: the same scenarios as the system test runs on the real
// kernel (tests/system/conformance.mjs), here over the helper's own code (runHelper) on the simulated
// kernel. Each scenario must come out as its expected outcome, which is what the real kernel did.

const MiB = 1024 * 1024;
const config = parseConfig(conformanceConfig());
const masterByteAt = masterByte as (mib: number) => number;
const MASTER = config.storage.master;
const INITIATOR = { iqn: "iqn.2008-11.org.linux-kvm", ip: "127.0.0.1" };

/**
 * The simulated kernel keeps counts, not bytes: what a PC wrote is kept here, beside the kernel's own
 * objects — per exception store (a reset's zeroed header makes a new one, so the data goes with it;
 * a deleted COW's store lives on in its device) and per image file's inode (the update target's draft).
 * A block nobody wrote reads as the master, which every image here descends from.
 */
class Blocks {
  private stores = new WeakMap<CowStore, Map<number, number>>();
  private inodes = new WeakMap<Inode, Map<number, number>>();
  of(key: CowStore | Inode, kind: "store" | "inode"): Map<number, number> {
    const map = kind === "store" ? this.stores : this.inodes;
    const k = key as CowStore & Inode;
    let m = map.get(k);
    if (!m) map.set(k, (m = new Map()));
    return m;
  }
}

function simRig(k: SimKernel): Rig {
  const blocks = new Blocks();
  const dmName = (id: number) => config.machines.find((m) => m.id === id)!.dmName;
  const iqnOf = (disk: Disk) => (disk === "update" ? `${config.storage.iqnPrefix}:update` : config.machines.find((m) => m.id === disk)!.iqn);
  const inodeOfLoop = (majMinOrName: string) => {
    const loop = k.loops.find((l) => l.name === majMinOrName || loopMajMin(l.name) === majMinOrName);
    return loop ? { loop, inode: k.fsys.inode(loop.ino) } : null;
  };
  /** What an initiator reaches at the disk's LUN: a snapshot (its store and origin), a plain loop, or nothing (I/O error). */
  const reach = (disk: Disk) => {
    if (k.tgtdDown) return null;
    const lun = [...k.targets.values()].find((t) => t.iqn === iqnOf(disk))?.lun1;
    if (!lun) return null;
    if (lun.startsWith("/dev/mapper/")) {
      const name = lun.slice("/dev/mapper/".length);
      const dev = k.dm.get(name);
      const snap = k.dmk.live.get(name);
      if (!dev?.live || dev.suspended || !snap || snap.store.invalid) return null;
      const origin = inodeOfLoop(dev.live.split(" ")[3] ?? "")?.inode;
      return { kind: "snapshot" as const, name, snap, origin };
    }
    const plain = inodeOfLoop(lun);
    const inode = plain && !plain.loop.ro ? plain.inode : undefined;
    return inode ? { kind: "plain" as const, inode } : null;
  };
  const byteAt = (r: NonNullable<ReturnType<typeof reach>>, mib: number) => {
    if (r.kind === "plain") return blocks.of(r.inode, "inode").get(mib) ?? masterByteAt(mib);
    return blocks.of(r.snap.store, "store").get(mib) ?? (r.origin ? blocks.of(r.origin, "inode").get(mib) : undefined) ?? masterByteAt(mib);
  };
  let filler = 0;
  return {
    side: "sim",
    helper: async (...argv) => {
      const { io } = k.io(() => config);
      const r = await runHelper(argv, io);
      return { code: r.code, json: r.output };
    },
    writePattern: async (disk, byte, off, len) => {
      const r = reach(disk);
      if (!r) return false;
      if (r.kind === "plain") {
        for (let i = off; i < off + len; i++) blocks.of(r.inode, "inode").set(i, byte);
        return true;
      }
      const data = blocks.of(r.snap.store, "store");
      const fresh = Array.from({ length: len }, (_, i) => off + i).filter((i) => !data.has(i));
      // The kernel is told only of chunks its store does not hold yet: a rewrite takes no exception.
      if (k.write(r.name, fresh.length * MiB) !== "ok") return false;
      for (let i = off; i < off + len; i++) data.set(i, byte);
      return true;
    },
    readPattern: async (disk, byte, off, len) => {
      const r = reach(disk);
      if (!r) return false;
      for (let i = off; i < off + len; i++) if (byteAt(r, i) !== byte) return false;
      return true;
    },
    table: async (id) => {
      const d = k.dm.get(dmName(id));
      if (!d) return "absent";
      const live = d.live ? (d.live.split(" ")[2] ?? "?") : "none";
      return d.inactive ? `${live}+inactive` : live;
    },
    journal: async (id) => k.files.has(`/run/cowherd/reset-${id}.json`),
    cowExists: async (id) => k.files.has(config.machines.find((m) => m.id === id)!.cowPath),
    openSession: async (id) => {
      if (!k.login(iqnOf(id), INITIATOR)) throw new Error(`the initiator could not log in to pc${id}'s target`);
    },
    closeSession: async (id) => k.logout(iqnOf(id)),
    deleteMaster: async () => {
      const f = k.files.get(MASTER)!;
      k.files.delete(MASTER);
      k.files.set(`${MASTER}.moved`, f);
    },
    restoreMaster: async () => {
      const f = k.files.get(`${MASTER}.moved`)!;
      k.files.delete(`${MASTER}.moved`);
      k.files.set(MASTER, f);
    },
    deleteCow: async (id) => k.unlink(config.machines.find((m) => m.id === id)!.cowPath),
    fillStore: async (leaveMiB) => {
      const before = k.freeBytes;
      k.freeBytes = leaveMiB * MiB;
      filler = before - k.freeBytes;
    },
    unfillStore: async () => {
      k.freeBytes = k.freeBytes + filler;
      filler = 0;
    },
    // As tgtadm prints it, through the helper's own command path (nothing when tgtd is down).
    tgtShow: async () => (k.tgtdDown ? "" : k.tgt.show()),
    stopBackend: async () => {
      k.tgtdDown = true;
    },
    startBackend: async () => {
      k.tgtdDown = false;
    },
    killedReset: async (id, point) => {
      const { io, process } = k.io(() => config);
      const [when, op] = point.split("-") as ["before" | "after", string];
      const at = new RegExp(`^worker ${op} ${dmName(id)}( |$)`);
      let passed = false;
      // Before: the process dies as it makes that request. After: the kernel did it, the process dies at its next operation.
      k.killWhen((o) => (when === "before" ? at.test(o) : passed || ((passed = at.test(o)), false)), process.pid);
      await runHelper(["reset", String(id)], io).catch(() => null);
      if (process.alive) throw new Error(`the reset of pc${id} never reached ${point}`);
    },
  };
}

function kernel(): SimKernel {
  const k = new SimKernel({ storeBytes: (STORE_MIB as number) * MiB, otherBytes: 0 });
  k.addFile(MASTER, (MASTER_MIB as number) * MiB);
  expect(MASTER.startsWith(STORE as string)).toBe(true);
  return k;
}

/**
 * Where the simulated kernel is known to differ from the real one: per scenario, the observations
 * that come out differently and why. The test fails when a difference is not listed here, and when a
 * listed one is gone (the list must stay the truth).
 */
const KNOWN: Record<string, { keys: string[]; why: string }> = {};

describe("conformance: the simulated kernel does what the real one does (tests/system/conformance.mjs)", async () => {
  const results: Result[] = await runConformance(simRig(kernel()));
  afterAll(() => {
    const rows = results.map(
      (r) => `  ${r.name.padEnd(28)} ${r.skipped ? `skipped: ${r.skipped}` : r.diffs.length ? `differs: ${r.diffs.join("; ")}` : "as expected"}`,
    );
    console.log(`conformance, simulated kernel:\n${rows.join("\n")}`);
  });

  it("runs every scenario of the list, in order", () => {
    expect(results.map((r) => r.name)).toEqual(SCENARIOS.map((s: { name: string }) => s.name));
  });

  for (const r of results) {
    it(`${r.name}: ${r.what}`, () => {
      if (r.skipped) return;
      const known = KNOWN[r.name];
      const keys = r.diffs.map((d) => d.split(":")[0]);
      expect(keys, `${r.diffs.join("\n")}\nobserved: ${JSON.stringify(r.observed)}`).toEqual(known?.keys ?? []);
    });
  }
});
