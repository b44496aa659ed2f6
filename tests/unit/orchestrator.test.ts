import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RESET_STEPS } from "@/lib/host/types";
import { testRuntime } from "../helpers/runtime";

let ctx: Awaited<ReturnType<typeof testRuntime>>;
beforeEach(async () => {
  ctx = await testRuntime();
});
afterEach(() => ctx.cleanup());

async function machine(id: number) {
  return (await ctx.rt.host.status()).machines.find((m) => m.id === id)!;
}

describe("reset orchestration on the simulator", () => {
  it("resets a used PC to the fresh usage and records a completed history row", async () => {
    ctx.sim.write(3, 50_000);
    const before = await machine(3);
    expect(before.usedSectors).toBeGreaterThan(50_000);
    const r = await ctx.rt.orchestrator.resetOne(3, { source: "dashboard", requestedBy: "admin" });
    expect(r).toMatchObject({ ok: true, outcome: "fresh", failedStep: null });
    const after = await machine(3);
    expect(after).toMatchObject({ state: "ok", usedSectors: 128, totalSectors: 409600, exported: true, suspended: false });
    const row = ctx.rt.history.get(r.historyId)!;
    expect(row).toMatchObject({ machineId: 3, source: "dashboard", requestedBy: "admin", result: "ok", usedBefore: before.usedSectors });
    expect(row.endedAt).not.toBeNull();
    expect(row.steps.map((s) => s.step)).toEqual([...RESET_STEPS]);
  });

  it("brings an Invalid snapshot back", async () => {
    ctx.sim.setMachine(2, { fraction: 1 });
    ctx.sim.write(2, 1_000_000);
    expect((await machine(2)).state).toBe("invalid");
    expect((await ctx.rt.orchestrator.resetOne(2, { source: "cli", requestedBy: null })).ok).toBe(true);
    expect((await machine(2)).state).toBe("ok");
  });

  describe.each(RESET_STEPS)("a failure in %s", (step) => {
    it("is reported with its step, recovered, and leaves the PC exported and resumed", async () => {
      ctx.sim.write(4, 20_000);
      const usedBefore = (await machine(4)).usedSectors!;
      ctx.sim.injectFault(4, step, 1, `boom in ${step}`);
      const r = await ctx.rt.orchestrator.resetOne(4, { source: "dashboard", requestedBy: "admin" });
      expect(r.ok).toBe(false);
      expect(r.failedStep).toBe(step);
      expect(r.error).toBe(`boom in ${step}`);
      const after = await machine(4);
      expect(after).toMatchObject({ state: "ok", exported: true, suspended: false });
      // Before the header is zeroed the old snapshot survives; after it, the PC is fresh.
      const zeroed = RESET_STEPS.indexOf(step) > RESET_STEPS.indexOf("cow-zero");
      expect(after.usedSectors).toBe(zeroed ? 128 : usedBefore);
      expect(r.outcome).toBe(zeroed ? "fresh" : "kept-old");
      const row = ctx.rt.history.get(r.historyId)!;
      expect(row).toMatchObject({ result: "failed", failedStep: step, error: `boom in ${step}` });
      expect(row.endedAt).not.toBeNull();
    });
  });

  it("reports a PC it could not re-export as not-exported", async () => {
    ctx.sim.injectFault(5, "dm-create", Infinity, "no memory");
    const r = await ctx.rt.orchestrator.resetOne(5, { source: "dashboard", requestedBy: "admin" });
    expect(r).toMatchObject({ ok: false, failedStep: "dm-create", outcome: "not-exported" });
    expect((await machine(5)).state).toBe("missing");
    ctx.sim.clearFaults();
    // The next reset repairs it.
    expect((await ctx.rt.orchestrator.resetOne(5, { source: "dashboard", requestedBy: "admin" })).ok).toBe(true);
    expect(await machine(5)).toMatchObject({ state: "ok", exported: true });
  });

  it("never interleaves two resets of one PC: the second is refused with 409", async () => {
    const { rt } = await testRuntime({ COWHERD_SIM_STEP_MS: "20" });
    const first = rt.orchestrator.resetOne(1, { source: "dashboard", requestedBy: "a" });
    await expect(rt.orchestrator.resetOne(1, { source: "dashboard", requestedBy: "b" })).rejects.toMatchObject({ code: "reset_in_progress", status: 409 });
    expect((await first).ok).toBe(true);
    expect(rt.history.list({ page: 1, pageSize: 10 }).total).toBe(1);
    // Other PCs are not blocked meanwhile.
    const [a, b] = await Promise.all([
      rt.orchestrator.resetOne(1, { source: "dashboard", requestedBy: "a" }),
      rt.orchestrator.resetOne(2, { source: "dashboard", requestedBy: "a" }),
    ]);
    expect(a.ok && b.ok).toBe(true);
    rt.close();
  });

  it("bulk reset: bounded concurrency, one batch id, summary, unknown ids rejected before anything runs", async () => {
    const { rt, sim } = await testRuntime({ COWHERD_SIM_STEP_MS: "10" });
    let inFlight = 0;
    let peak = 0;
    const orig = sim.reset.bind(sim);
    sim.reset = async (id, onStep) => {
      peak = Math.max(peak, ++inFlight);
      try {
        return await orig(id, onStep);
      } finally {
        inFlight--;
      }
    };
    await expect(rt.orchestrator.resetMany([1, 99], { source: "bulk", requestedBy: "x" })).rejects.toMatchObject({ status: 404 });
    expect(rt.history.list({ page: 1, pageSize: 10 }).total).toBe(0);
    sim.injectFault(6, "lun-online");
    const batch = await rt.orchestrator.resetMany([1, 2, 3, 4, 5, 6, 7, 8], { source: "bulk", requestedBy: "x" }, 3);
    expect(peak).toBe(3);
    expect(batch.summary).toEqual({ requested: 8, ok: 7, failed: 1 });
    const rows = rt.history.list({ page: 1, pageSize: 50 }).rows;
    expect(new Set(rows.map((r) => r.batchId))).toEqual(new Set([batch.batchId]));
    expect(rows.find((r) => r.machineId === 6)).toMatchObject({ result: "failed", failedStep: "lun-online" });
    rt.close();
  });

  it("bulk reset on a host that batches: one host call per group of resetConcurrency PCs, a row per PC", async () => {
    const groups: number[][] = [];
    ctx.sim.resetMany = async (ids, onStep) => {
      groups.push(ids);
      return Promise.all(ids.map((id) => ctx.sim.reset(id, (s) => onStep?.(id, s))));
    };
    ctx.sim.injectFault(6, "cow-zero");
    const batch = await ctx.rt.orchestrator.resetMany([1, 2, 3, 4, 5, 6, 7, 8], { source: "bulk", requestedBy: "x" }, 4);
    expect(groups).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]]);
    expect(batch.summary).toEqual({ requested: 8, ok: 7, failed: 1 });
    const rows = ctx.rt.history.list({ page: 1, pageSize: 50 }).rows;
    expect(rows).toHaveLength(8);
    expect(rows.every((r) => r.result !== "running" && r.batchId === batch.batchId)).toBe(true);
    expect(rows.find((r) => r.machineId === 6)).toMatchObject({ result: "failed", failedStep: "cow-zero" });
  });

  it("a host that cannot be asked at all fails every PC of the group with its error, rows completed", async () => {
    ctx.sim.resetMany = async () => {
      throw Object.assign(new Error("sudo: a password is required"), { step: "helper" });
    };
    const batch = await ctx.rt.orchestrator.resetMany([1, 2], { source: "bulk", requestedBy: "x" });
    expect(batch.summary.failed).toBe(2);
    const rows = ctx.rt.history.list({ page: 1, pageSize: 5 }).rows;
    expect(rows.map((r) => [r.result, r.failedStep, r.error])).toEqual([
      ["failed", "helper", "sudo: a password is required"],
      ["failed", "helper", "sudo: a password is required"],
    ]);
  });

  it("marks rows left running by a dead process as interrupted at start", async () => {
    const id = ctx.rt.history.start({
      machineId: 1, machineName: "retro-01", source: "dashboard", requestedBy: null, batchId: null,
      startedAt: Date.now(), stateBefore: null, usedBefore: null, totalBefore: null,
    });
    expect(ctx.rt.history.markInterrupted(Date.now())).toBe(1);
    expect(ctx.rt.history.get(id)?.result).toBe("interrupted");
  });
});
