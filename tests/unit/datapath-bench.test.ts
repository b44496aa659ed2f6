import { describe, expect, it } from "vitest";
import { benchParts } from "../../scripts/bench-args.mjs";
import { otherCores, parseProcStat, parseSelfStat } from "../../scripts/host-cpu.mjs";
import {
  datapathReport,
  firstWriteOffsets,
  medianRuns,
  qemuIoFailures,
  qemuIoScript,
  randomOffsets,
  type Run,
  rateOf,
  sequentialOffsets,
  shares,
  spreadOf,
} from "../system/datapath-math.mjs";

const MiB = 1048576;

describe("data-path bench: the work each initiator is given", () => {
  it("sequential offsets step one block at a time from the start and wrap at the device's end", () => {
    expect(sequentialOffsets(4, MiB, 126 * MiB, 128 * MiB)).toEqual([126 * MiB, 127 * MiB, 0, MiB]);
    expect(() => sequentialOffsets(2, MiB, 4096, 128 * MiB)).toThrow(/not aligned/);
    expect(() => sequentialOffsets(2, MiB, 0, 100 * MiB + 4096)).toThrow(/whole number/);
  });

  it("random offsets are aligned, on the device, the same for a seed and different for another", () => {
    const a = randomOffsets(500, 4096, 128 * MiB, 7);
    expect(a.every((o) => o % 4096 === 0 && o >= 0 && o + 4096 <= 128 * MiB)).toBe(true);
    expect(randomOffsets(500, 4096, 128 * MiB, 7)).toEqual(a);
    expect(randomOffsets(500, 4096, 128 * MiB, 8)).not.toEqual(a);
    // Spread over the device, not bunched at its start.
    expect(Math.max(...a)).toBeGreaterThan(100 * MiB);
    expect(Math.min(...a)).toBeLessThan(28 * MiB);
  });

  it("first writes each land in a slot of their own, so every one is a first write whatever the chunk size", () => {
    const slot = 128 * 1024;
    const o = firstWriteOffsets(1024, 4096, slot, 128 * MiB, 3);
    expect(new Set(o.map((x) => Math.floor(x / slot))).size).toBe(1024);
    expect(o.every((x) => x % 4096 === 0 && x + 4096 <= 128 * MiB)).toBe(true);
    expect(firstWriteOffsets(1024, 4096, slot, 128 * MiB, 3)).toEqual(o);
    // Not simply in order: a random pick of slots.
    expect(o.slice(0, 10)).not.toEqual([...o.slice(0, 10)].sort((x, y) => x - y));
    expect(() => firstWriteOffsets(1025, 4096, slot, 128 * MiB, 3)).toThrow(/1025 slots/);
  });

  it("shares split a run's work as evenly as whole units allow", () => {
    expect(shares(112, 1)).toEqual([112]);
    expect(shares(112, 14)).toEqual(Array(14).fill(8));
    expect(shares(10, 4)).toEqual([3, 3, 2, 2]);
    expect(() => shares(3, 4)).toThrow(/cannot share/);
  });

  it("a qemu-io script runs quiet commands and ends with the one whose answer says it is done", () => {
    expect(qemuIoScript("read", [0, 4096], 4096)).toBe("read -q 0 4096\nread -q 4096 4096\nread 512 512\n");
    expect(qemuIoScript("write", [MiB], MiB)).toBe(`write -q -P 0x5a ${MiB} ${MiB}\nread 512 512\n`);
  });

  it("qemu-io's failures are found in its output even when it exits 0", () => {
    const out = "qemu-io> read 4096/4096 bytes at offset 0\n4 KiB, 1 ops; 00.00 sec\nqemu-io> qemu-io> write failed: No space left on device\nqemu-io> ";
    expect(qemuIoFailures(out)).toEqual(["write failed: No space left on device"]);
    expect(qemuIoFailures("qemu-io> read 512/512 bytes at offset 512\nqemu-io> ")).toEqual([]);
    expect(qemuIoFailures("qemu-io: can't open device iscsi://127.0.0.1/x/1: Failed to connect")).toHaveLength(1);
  });
});

/** A run's figures: `rate` MiB/s (or IOPS for the random workloads) over one second. */
function run(path: Run["path"], workload: Run["workload"], initiators: number, rate: number, chunkKiB = 32): Run {
  const random = workload === "randRead" || workload === "randWrite";
  return { path, workload, initiators, chunkKiB, ms: 1000, ops: random ? rate : rate, bytes: random ? rate * 4096 : rate * MiB };
}

describe("data-path bench: the report", () => {
  it("rates: MiB/s for 1 MiB work, IOPS for 4 KiB work", () => {
    expect(rateOf({ ...run("tgt", "seqRead", 1, 0), bytes: 50 * MiB, ms: 500 })).toBeCloseTo(100);
    expect(rateOf({ ...run("tgt", "randRead", 1, 0), ops: 300, ms: 1500 })).toBeCloseTo(200);
  });

  it("prints tgt as a fraction of the limit, the scaling from 1 initiator, the chunk table, and what it leaves out", () => {
    const runs = [
      run("tgt", "seqRead", 1, 50),
      run("tgt", "seqRead", 4, 100),
      run("tgt", "seqRead", 14, 120),
      run("dm", "seqRead", 1, 200),
      run("dm", "seqRead", 4, 400),
      run("dm", "seqRead", 14, 400),
      run("loop", "seqRead", 1, 400),
      run("loop", "seqRead", 4, 800),
      run("loop", "seqRead", 14, 800),
      run("tgt", "randWrite", 4, 300, 32),
      run("tgt", "randWrite", 4, 600, 8),
      run("tgt", "randWrite", 4, 150, 128),
    ];
    const text = datapathReport({ runs, accel: "tcg", initiators: [1, 4, 14], chunkKiB: [8, 32, 128], defaultChunkKiB: 32, masterMiB: 128, reps: 3 }).join(
      "\n",
    );
    expect(text).toMatch(/TCG: .*ratios, not the absolute/);
    expect(text).toMatch(/LIO: left out/);
    expect(text).toMatch(/tgt \(iSCSI, loopback\)\s+50\.0\s+100\s+120\s+2\.00× → 2\.40×/);
    expect(text).toMatch(/tgt \/ limit\s+25 %\s+25 %\s+30 %/);
    expect(text).toMatch(/master loop device\s+400\s+800\s+800\s+2\.00× → 2\.00×/);
    // Workloads not measured are not printed.
    expect(text).not.toMatch(/random 4 KiB reads/);
    expect(text).toMatch(/chunk size and first writes, 4 initiators/);
    expect(text).toMatch(/4 KiB first writes, tgt \(IOPS\)\s+600\s+300\s+150\s+1\.00 : 0\.50 : 0\.25/);
  });

  it("each coordinate's samples become one run with the median time and the spread", () => {
    const a = { ...run("tgt", "seqRead", 4, 0), bytes: MiB, ops: 1 };
    const merged = medianRuns([
      { ...a, ms: 300 },
      { ...run("dm", "seqRead", 4, 0), bytes: MiB, ops: 1, ms: 50 },
      { ...a, ms: 100 },
      { ...a, ms: 200 },
      { ...a, chunkKiB: 8, ms: 999 },
    ]);
    expect(merged).toHaveLength(3);
    expect(merged[0]).toMatchObject({ path: "tgt", chunkKiB: 32, ms: 200, samples: 3, msMin: 100, msMax: 300 });
    expect(
      medianRuns([
        { ...a, ms: 100 },
        { ...a, ms: 400 },
      ])[0]?.ms,
    ).toBe(250);
    expect(() => medianRuns([a, { ...a, ops: 2 }])).toThrow(/did different work/);
  });

  it("says how far samples of one figure lie apart, so a reader knows which differences are noise", () => {
    const a = run("tgt", "seqRead", 1, 1);
    const runs = [
      { ...a, samples: 2, msMin: 100, msMax: 150 },
      { ...a, samples: 2, msMin: 100, msMax: 300 },
      { ...a, samples: 2, msMin: 100, msMax: 110 },
      { ...a, samples: 1, msMin: 100, msMax: 900 },
    ];
    expect(spreadOf(runs)).toEqual({ median: 1.5, max: 3 });
    expect(spreadOf([a])).toBeNull();
    const text = datapathReport({ runs, accel: "tcg", initiators: [1], chunkKiB: [32], defaultChunkKiB: 32, masterMiB: 128, reps: 2 }).join("\n");
    expect(text).toMatch(/slowest sample took 1\.50× its fastest \(median\), up to 3\.00×/);
  });

  it("under KVM it does not call the figures TCG's", () => {
    const text = datapathReport({ runs: [], accel: "kvm", initiators: [1], chunkKiB: [32], defaultChunkKiB: 32, masterMiB: 128, reps: 3 }).join("\n");
    expect(text).not.toMatch(/TCG/);
  });
});

describe("bench arguments", () => {
  it("runs every part by default, the guest parts left out with --no-guest", () => {
    expect([...benchParts([])]).toEqual(["http", "room", "guest", "datapath"]);
    expect([...benchParts(["--no-guest"])]).toEqual(["http", "room"]);
  });

  it("--only runs the parts named, in either spelling", () => {
    expect([...benchParts(["--only", "datapath"])]).toEqual(["datapath"]);
    expect([...benchParts(["--only=guest,datapath"])]).toEqual(["guest", "datapath"]);
  });

  it("refuses what it does not know, and a selection that leaves nothing", () => {
    expect(() => benchParts(["--only", "lio"])).toThrow(/no bench part lio: the parts are http, room, guest, datapath/);
    expect(() => benchParts(["--only"])).toThrow(/needs a list/);
    expect(() => benchParts(["--fast"])).toThrow(/unknown argument --fast/);
    expect(() => benchParts(["--only", "datapath", "--no-guest"])).toThrow(/nothing left/);
  });
});

describe("other work on the host while the guest ran", () => {
  it("reads /proc/stat's busy and total ticks", () => {
    expect(parseProcStat("cpu  100 5 50 800 20 1 2 3 0 0\ncpu0 50 2 25 400 10 0 1 1 0 0\n")).toEqual({ busy: 161, total: 981 });
    expect(() => parseProcStat("intr 1 2 3\n")).toThrow(/no cpu line/);
  });

  it("reads this process's and its children's ticks, whatever its name", () => {
    const fields = ["S", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "100", "20", "7", "3", "20", "0"];
    expect(parseSelfStat(`4242 (node (x) y) ${fields.join(" ")}`)).toBe(130);
  });

  it("counts what neither we nor our guest used, in cores", () => {
    const a = { busy: 1000, total: 4000, self: 500 };
    // 2000 ticks over 2 cores; 1500 busy, of which 1000 our QEMU: 500 ticks of others = half a core.
    expect(otherCores(a, { busy: 2500, total: 6000, self: 1500 }, 2)).toBeCloseTo(0.5);
    expect(otherCores(a, { busy: 1500, total: 6000, self: 1600 }, 2)).toBe(0);
    expect(otherCores(a, a, 2)).toBeNaN();
  });
});
