import { afterEach, describe, expect, it } from "vitest";
import { decideExtend, reserveAllows } from "@/lib/usage/autoextend-policy";
import { testRuntime } from "../helpers/runtime";

const MIB = 2048;
const pc = (usedMiB: number, totalMiB: number, maxMiB = 800) => ({ usedSectors: usedMiB * MIB, totalSectors: totalMiB * MIB, maxCowSizeMiB: maxMiB });

describe("auto-extend decisions (lvm2's snapshot_autoextend_threshold / _percent)", () => {
  it("threshold 100 is off, whatever the use", () => {
    expect(decideExtend(pc(199, 200), { threshold: 100, percent: 20 })).toEqual({ action: "none" });
  });
  it("below the threshold nothing happens", () => {
    expect(decideExtend(pc(159, 200), { threshold: 80, percent: 20 })).toEqual({ action: "none" });
  });
  it("at the threshold it grows by percent of its current size", () => {
    expect(decideExtend(pc(160, 200), { threshold: 80, percent: 20 })).toEqual({ action: "grow", fromMiB: 200, toMiB: 240, percent: 80 });
  });
  it("by more when percent would not bring it back under the threshold (lvm2's _adjust_amount)", () => {
    // 198 of 200 with threshold 50: 20 % would leave it at 82 %; it needs more than 396 MiB
    expect(decideExtend(pc(198, 200), { threshold: 50, percent: 20 })).toMatchObject({ action: "grow", toMiB: 397 });
  });
  it("never past the PC's maximum; at the maximum it says so instead", () => {
    expect(decideExtend(pc(700, 750), { threshold: 80, percent: 20 })).toMatchObject({ action: "grow", toMiB: 800 });
    expect(decideExtend(pc(700, 800), { threshold: 80, percent: 20 })).toEqual({ action: "at-max", sizeMiB: 800, percent: 87.5 });
  });
  it("grows by at least 1 MiB (a tiny COW with a tiny percent)", () => {
    expect(decideExtend(pc(15, 16), { threshold: 90, percent: 1 })).toMatchObject({ toMiB: 17 });
  });
  it("the reserve guard: what is left after growing must be at least the reserve", () => {
    expect(reserveAllows(2048, 1024, 1024)).toBe(true);
    expect(reserveAllows(2047, 1024, 1024)).toBe(false);
  });
});

describe("auto-extend in the room (simulated store)", () => {
  let cleanup: () => void = () => {};
  afterEach(() => cleanup());

  it("grows a running PC past the threshold, records it, and a reset takes it back to its configured size", async () => {
    const t = await testRuntime({}, { autoextend: { threshold: 80, percent: 20 } });
    cleanup = t.cleanup;
    t.sim.setMachine(3, { fraction: 0.85 });
    await t.rt.watch.tick();
    await Promise.all(t.rt.extender.busyIds().map(() => new Promise((r) => setTimeout(r, 10))));
    await new Promise((r) => setTimeout(r, 20));
    const st = (await t.sim.status()).machines.find((m) => m.id === 3)!;
    expect(st.totalSectors).toBe(240 * MIB);
    expect(t.rt.events.list({ page: 1, pageSize: 10, kind: "autoextend" }).rows[0]!.message).toMatch(
      /^retro-03 was 8\d % full: its COW grew from 200 to 240 MiB \(auto-extend, up to 800 MiB\)$/,
    );
    const { job } = await import("@/lib/reset/requests").then(({ requestResets }) =>
      requestResets(t.rt, [3], { source: "dashboard", requestedBy: "admin", whenOnline: "force" }),
    );
    await t.rt.orchestrator.wait(job!.id);
    expect((await t.sim.status()).machines.find((m) => m.id === 3)!.totalSectors).toBe(200 * MIB);
  });

  it("refuses when the store's reserve would be crossed: the store never goes below it, one event until it clears", async () => {
    // The two groups' 4096 MiB masters + 10 × 200 MiB + 4 × 400 MiB COWs = 11792 MiB on an 11886 MiB store with a 64 MiB reserve: 30 MiB to spare.
    const t = await testRuntime({ COWHERD_SIM_STORE_MIB: "11886" }, { autoextend: { threshold: 80, percent: 20 }, storage: { reserveMiB: 64 } as never });
    cleanup = t.cleanup;
    t.sim.setMachine(5, { fraction: 0.9 });
    for (let i = 0; i < 3; i++) {
      await t.rt.watch.tick();
      await new Promise((r) => setTimeout(r, 20));
    }
    const status = await t.sim.status();
    expect(status.machines.find((m) => m.id === 5)!.totalSectors).toBe(200 * MIB);
    expect(status.stores![0]!.freeBytes).toBeGreaterThanOrEqual(status.stores![0]!.reserveBytes);
    const refused = t.rt.events.list({ page: 1, pageSize: 10, kind: "autoextend-refused" });
    expect(refused.total).toBe(1);
    expect(refused.rows[0]!.message).toMatch(
      /^retro-05 is 90 % full and could not grow from 200 to 240 MiB: not enough space for growing retro-05's COW to 240 MiB: 94 MiB free on \/store, 40 MiB needed plus the 64 MiB reserve/,
    );
    expect((await t.rt.machinesView()).machines.find((m) => m.id === 5)!.growth.blocked).toMatch(/refused/);
    // A reset brings it under the threshold: the refusal clears.
    const { requestResets } = await import("@/lib/reset/requests");
    await t.rt.orchestrator.wait(requestResets(t.rt, [5], { source: "dashboard", requestedBy: "admin", whenOnline: "force" }).job!.id);
    await t.rt.watch.tick();
    expect(t.rt.events.list({ page: 1, pageSize: 10, kind: "autoextend-refused", open: true }).total).toBe(0);
  });

  it("Grow by hand refuses past maxCowSizeMiB and is recorded when it works", async () => {
    const t = await testRuntime({}, { autoextend: { threshold: 100, percent: 20 } });
    cleanup = t.cleanup;
    const v = (await t.rt.machinesView()).machines.find((m) => m.id === 2)!;
    const tooBig = await t.rt.extender.growByHand(2, 801, "admin", v);
    expect(tooBig).toMatchObject({ ok: false, step: "validate", error: expect.stringMatching(/maxCowSizeMiB \(800 MiB\)/) });
    expect(await t.rt.extender.growByHand(2, 300, "admin", v)).toMatchObject({ ok: true, fromMiB: 200, toMiB: 300 });
    expect(t.rt.events.list({ page: 1, pageSize: 10, kind: "grow" }).rows[0]!.message).toBe("admin grew retro-02's COW from 200 to 300 MiB (it was 0 % full)");
  });
});
