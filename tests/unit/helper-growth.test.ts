import { beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config/load";
import { Storage } from "@/helper/storage/storage";
import { runVerb } from "@/helper/run-verb";
import { SimKernel } from "@/lib/host/sim/kernel/kernel";

// The helper's side of auto-extend: a reset cuts a grown COW back to its configured size while no
// snapshot uses it, a repair brings a loop back in step with its file, grow keeps to the PC's maximum.
const config = parseConfig({
  host: "real",
  machines: [
    { id: 1, name: "pc1", ip: "10.0.0.41", dmName: "retrocow1", maxCowSizeMiB: 48 },
    { id: 2, name: "pc2", ip: "10.0.0.42", dmName: "retrocow2" },
  ],
  defaults: { cowSizeMiB: 16, chunkSectors: 8, mode: "P" },
  storage: { master: "/store/master.img", cowDir: "/store", iqnPrefix: "iqn.2026-11.test.cowherd", reserveMiB: 64 },
});
const MiB = 1048576;

let fake: SimKernel;
let host: Storage;
beforeEach(async () => {
  fake = new SimKernel();
  fake.addFile("/store/master.img", 64 * MiB);
  host = new Storage({ config, run: fake.runner, fs: fake.fs, dm: fake.worker, stateDir: "/run/cowherd", pid: 100, lockWaitMs: 300 });
  await host.up([1, 2]);
  fake.calls = [];
});

describe("a reset shrinks a grown COW back to its configured size", () => {
  it("cuts the file and sets the loop's capacity between the error table and the snapshot load", async () => {
    fake.files.get("/store/retrocow1.cow")!.size = 32 * MiB; // auto-extend grew it
    const [r] = await host.reset([1], () => undefined);
    expect(r).toMatchObject({ ok: true, outcome: "fresh" });
    expect(fake.mutations()).toEqual([
      "worker wipe retrocow1 131072",
      "zero-header /store/retrocow1.cow",
      `shrink /store/retrocow1.cow ${16 * MiB}`,
      "/usr/sbin/losetup --set-capacity /dev/loop1",
      "worker load retrocow1 0 131072 snapshot 7:0 7:1 P 8",
      "worker resume retrocow1",
    ]);
    expect(fake.files.get("/store/retrocow1.cow")!.size).toBe(16 * MiB);
  });

  it("leaves a COW of its configured size alone (no extra process)", async () => {
    await host.reset([2], () => undefined);
    expect(fake.mutations().some((c) => /shrink|set-capacity/.test(c))).toBe(false);
  });

  it("a set-capacity that fails is a cow-zero failure; recovery brings the loop in step before the snapshot loads", async () => {
    fake.files.get("/store/retrocow1.cow")!.size = 32 * MiB;
    let fails = 1;
    fake.failWhen.push((c) => (c.includes("--set-capacity") && fails-- > 0 ? "losetup: ioctl failed" : null));
    // The kernel still has the loop at the grown size.
    fake.loops.find((l) => l.name === "/dev/loop1")!.sectors = (32 * MiB) / 512;
    const [r] = await host.reset([1], () => undefined);
    expect(r).toMatchObject({ ok: false, failedStep: "cow-zero", outcome: "fresh" });
    expect(r!.recovery.map((s) => [s.step, s.ok])).toEqual([
      ["recover:cow-capacity", true],
      ["recover:dm-load", true],
      ["recover:dm-resume", true],
    ]);
    const order = fake.mutations();
    expect(order.indexOf("/usr/sbin/losetup --set-capacity /dev/loop1", order.indexOf("shrink /store/retrocow1.cow 16777216") + 2)).toBeLessThan(
      order.lastIndexOf("worker load retrocow1 0 131072 snapshot 7:0 7:1 P 8"),
    );
  });
});

describe("grow", () => {
  it("refuses past the PC's maxCowSizeMiB before anything runs", async () => {
    await expect(host.grow(1, 64)).rejects.toMatchObject({ step: "validate", message: expect.stringMatching(/maxCowSizeMiB \(48 MiB\)/) });
    expect(fake.mutations()).toEqual([]);
  });

  it("refuses when the store would go below its reserve, and says how much is free", async () => {
    fake.freeBytes = 70 * MiB;
    await expect(host.grow(1, 32)).rejects.toMatchObject({
      step: "space",
      message: expect.stringMatching(/70 MiB free on \/store, 16 MiB needed plus the 64 MiB reserve/),
    });
    expect(fake.mutations()).toEqual([]);
  });
});

describe("status says how much room the COW stores have", () => {
  it("one entry per COW directory with free, size and the reserve", async () => {
    fake.freeBytes = 5000 * MiB;
    const r = await runVerb({ verb: "status" }, config, host, () => undefined);
    expect(r.output).toMatchObject({
      ok: true,
      verb: "status",
      stores: [{ dir: "/store", freeBytes: 5000 * MiB, sizeBytes: 200 * 1024 * MiB, reserveBytes: 64 * MiB }],
    });
  });
});

describe("a grow takes the size its caller saw (issue 16 item 7)", () => {
  it("a grow queued behind a reset is refused (step changed) when the COW is no longer that size; nothing grows", async () => {
    fake.files.get("/store/retrocow1.cow")!.size = 32 * MiB; // auto-extend grew it: the admin saw 32 MiB
    const saw = (32 * MiB) / 512;
    await host.reset([1], () => undefined); // ...and a reset cut it back to 16 MiB before the grow ran
    fake.calls = [];
    await expect(host.grow(1, 40, saw)).rejects.toMatchObject({
      step: "changed",
      message: expect.stringMatching(/pc1's COW is 32768 sectors now, not the 65536/),
    });
    expect(fake.mutations()).toEqual([]);
    expect(fake.files.get("/store/retrocow1.cow")!.size).toBe(16 * MiB);
    // The size it has now goes ahead (the fake's status then shows no new total: only the allocation matters here).
    await host.grow(1, 40, 32768).catch(() => undefined);
    expect(fake.mutations()).toContain(`/usr/bin/fallocate --length ${40 * MiB} /store/retrocow1.cow`);
  });

  it("the argv form: grow <id> <MiB> --expect-sectors <n>, a refusal exits 1 naming the step", async () => {
    const r = await runVerb({ verb: "grow", id: 1, mib: 40, expectSectors: 99 }, config, host, () => undefined);
    expect(r).toMatchObject({ code: 1, output: { ok: false, verb: "grow", step: "changed" } });
  });
});

describe("the app grows only the COW it saw (the simulator keeps the helper's rule)", () => {
  it("a grow whose view of the COW is stale is refused (step changed); with the size the host has, it grows", async () => {
    const { testRuntime } = await import("../helpers/runtime");
    const ctx = await testRuntime();
    try {
      const v = (await ctx.rt.machinesView()).machines.find((x) => x.id === 3)!;
      const toMiB = Math.round(v.totalSectors! / 2048) + 64;
      const stale = await ctx.rt.extender.growByHand(3, toMiB, "admin", { ...v, totalSectors: v.totalSectors! * 2 });
      expect(stale).toMatchObject({ ok: false, step: "changed" });
      expect(await ctx.rt.extender.growByHand(3, toMiB, "admin", v)).toMatchObject({ ok: true, totalSectors: toMiB * 2048 });
    } finally {
      ctx.cleanup();
    }
  });
});
