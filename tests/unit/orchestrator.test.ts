import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RESET_STEPS } from "@/lib/host/types";
import { HostError } from "@/lib/host/types";
import type { DemoHost as SimHost } from "@/lib/host/sim/demo-host";
import { testRuntime } from "../helpers/runtime";
import Database from "better-sqlite3";
import { vi } from "vitest";
import { LateAnswerError } from "@/lib/host/late-answer";
import type { ResetReport } from "@/lib/host/types";

let ctx: Awaited<ReturnType<typeof testRuntime>>;
beforeEach(async () => {
  ctx = await testRuntime();
});
afterEach(() => ctx.cleanup());

async function machine(id: number, sim: SimHost = ctx.sim) {
  return (await sim.status()).machines.find((m) => m.id === id)!;
}

/** Submits a job and waits for it to finish. */
async function reset(ids: number[], rt = ctx.rt, source: "dashboard" | "bulk" | "cli" = "dashboard") {
  return rt.orchestrator.wait(rt.orchestrator.submit(ids, { source, requestedBy: "admin" }).id);
}

describe("reset jobs on the simulator", () => {
  it("a job is answered at once (queued), then resets the PC to fresh usage with a completed history row", async () => {
    ctx.sim.write(3, 50_000);
    const before = await machine(3);
    expect(before.usedSectors).toBeGreaterThan(50_000);
    const job = ctx.rt.orchestrator.submit([3], { source: "dashboard", requestedBy: "admin" });
    expect(job.machines[0]).toMatchObject({ id: 3, state: "queued" });
    expect(ctx.rt.orchestrator.progress().get(3)).toMatchObject({ jobId: job.id });
    const done = await ctx.rt.orchestrator.wait(job.id);
    expect(done.finishedAt).not.toBeNull();
    expect(done.summary).toEqual({ requested: 1, ok: 1, failed: 0, refused: 0, pending: 0 });
    const m = done.machines[0]!;
    expect(m).toMatchObject({ state: "done", ok: true, outcome: "fresh", failedStep: null, usedBefore: before.usedSectors });
    expect(await machine(3)).toMatchObject({ state: "ok", usedSectors: 128, totalSectors: 409600, exported: true, suspended: false });
    const row = ctx.rt.history.get(m.historyId!)!;
    expect(row).toMatchObject({ machineId: 3, source: "dashboard", requestedBy: "admin", result: "ok", usedBefore: before.usedSectors, batchId: job.id });
    expect(row.endedAt).not.toBeNull();
    expect(row.steps.map((s) => s.step)).toEqual([...RESET_STEPS]);
    expect(ctx.rt.orchestrator.progress().size).toBe(0);
    // The same job from its history rows (after a restart, or once forgotten).
    expect(ctx.rt.history.byBatch(job.id)).toHaveLength(1);
  });

  it("brings an Invalid snapshot back", async () => {
    ctx.sim.setMachine(2, { fraction: 1 });
    ctx.sim.write(2, 1_000_000);
    expect((await machine(2)).state).toBe("invalid");
    expect((await reset([2])).machines[0]!.ok).toBe(true);
    expect((await machine(2)).state).toBe("ok");
  });

  // A check fails on what it finds (storage.test.ts), not on an operation: no kernel fault makes it fail.
  describe.each(RESET_STEPS.filter((s) => s !== "check"))("a failure in %s", (step) => {
    it("is reported with its step, recovered, and leaves the PC serving its disk", async () => {
      ctx.sim.write(4, 20_000);
      const usedBefore = (await machine(4)).usedSectors!;
      ctx.sim.injectFault(4, step, 1, `boom in ${step}`);
      const m = (await reset([4])).machines[0]!;
      expect(m).toMatchObject({ ok: false, failedStep: step, error: `boom in ${step}` });
      const after = await machine(4);
      expect(after).toMatchObject({ state: "ok", exported: true, suspended: false });
      // Before the header is zeroed the old snapshot survives; after it, the PC is fresh.
      const zeroed = RESET_STEPS.indexOf(step) > RESET_STEPS.indexOf("cow-zero");
      expect(after.usedSectors).toBe(zeroed ? 128 : usedBefore);
      expect(m.outcome).toBe(zeroed ? "fresh" : "kept-old");
      const row = ctx.rt.history.get(m.historyId!)!;
      expect(row).toMatchObject({ result: "failed", failedStep: step, error: `boom in ${step}`, outcome: m.outcome });
      expect(row.endedAt).not.toBeNull();
    });
  });

  it("reports a PC whose snapshot could not be brought back as down; the next reset repairs it", async () => {
    ctx.sim.injectFault(5, "dm-load", 1, "no memory");
    ctx.sim.injectFault(5, "recover:dm-load", 2, "no memory");
    const m = (await reset([5])).machines[0]!;
    expect(m).toMatchObject({ ok: false, failedStep: "dm-load", outcome: "down" });
    expect((await machine(5)).state).toBe("unknown");
    expect((await reset([5])).machines[0]!.ok).toBe(true);
    expect(await machine(5)).toMatchObject({ state: "ok", exported: true });
  });

  it("one job per PC at a time: a second request is refused with 409, other PCs are not blocked", async () => {
    const { rt, cleanup } = await testRuntime({ COWHERD_SIM_STEP_MS: "20" });
    const first = rt.orchestrator.submit([1], { source: "dashboard", requestedBy: "a" });
    expect(() => rt.orchestrator.submit([1], { source: "dashboard", requestedBy: "b" })).toThrow(
      expect.objectContaining({ code: "reset_in_progress", status: 409 }),
    );
    // In a bulk request the busy PC is refused inside the job; the others run.
    const bulk = rt.orchestrator.submit([1, 2], { source: "bulk", requestedBy: "b" });
    expect(bulk.machines.map((m) => [m.id, m.state])).toEqual([
      [1, "refused"],
      [2, "queued"],
    ]);
    expect((await rt.orchestrator.wait(first.id)).summary.ok).toBe(1);
    const b = await rt.orchestrator.wait(bulk.id);
    expect(b.summary).toEqual({ requested: 2, ok: 1, failed: 0, refused: 1, pending: 0 });
    expect(rt.history.list({ page: 1, pageSize: 10 }).total).toBe(2);
    cleanup();
  });

  it("a bulk job: runs of resetConcurrency PCs, one host call per run, one batch id, unknown ids refused before anything runs", async () => {
    const { rt, sim, cleanup } = await testRuntime({ COWHERD_SIM_STEP_MS: "5" }, { resetConcurrency: 3 });
    const calls: number[][] = [];
    const orig = sim.reset.bind(sim);
    sim.reset = (ids, onStep) => {
      calls.push(ids);
      return orig(ids, onStep);
    };
    expect(() => rt.orchestrator.submit([1, 99], { source: "bulk", requestedBy: "x" })).toThrow(expect.objectContaining({ status: 404 }));
    expect(rt.history.list({ page: 1, pageSize: 10 }).total).toBe(0);
    sim.injectFault(6, "dm-resume");
    const job = await reset([1, 2, 3, 4, 5, 6, 7, 8], rt, "bulk");
    expect(calls).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8],
    ]);
    expect(job.summary).toEqual({ requested: 8, ok: 7, failed: 1, refused: 0, pending: 0 });
    const rows = rt.history.list({ page: 1, pageSize: 50 }).rows;
    expect(new Set(rows.map((r) => r.batchId))).toEqual(new Set([job.id]));
    expect(rows.find((r) => r.machineId === 6)).toMatchObject({ result: "failed", failedStep: "dm-resume" });
    cleanup();
  });

  it("a host that cannot be asked at all fails every PC of the run with its error; rows completed", async () => {
    ctx.sim.reset = async () => {
      throw new HostError("storage host local: sudo: a password is required", "helper");
    };
    const job = await reset([1, 2], ctx.rt, "bulk");
    expect(job.summary.failed).toBe(2);
    const rows = ctx.rt.history.list({ page: 1, pageSize: 5 }).rows;
    expect(rows.map((r) => [r.result, r.failedStep, r.error, r.outcome])).toEqual([
      ["failed", "helper", "storage host local: sudo: a password is required", "unknown"],
      ["failed", "helper", "storage host local: sudo: a password is required", "unknown"],
    ]);
  });

  it("several storage hosts: a bulk job fans out per host in parallel; a host that is down fails only its PCs", async () => {
    const { rt, cleanup } = await testRuntime({ COWHERD_SIM_HOSTS: "2", COWHERD_SIM_STEP_MS: "30" });
    const [a, b] = rt.room.hosts() as SimHost[];
    expect([a!.name, b!.name]).toEqual(["store-a", "store-b"]);
    const onA = rt.config.machines.filter((m) => m.host === "store-a").map((m) => m.id);
    const onB = rt.config.machines.filter((m) => m.host === "store-b").map((m) => m.id);
    expect(onA.length && onB.length).toBeTruthy();
    const events: string[] = [];
    for (const h of [a!, b!]) {
      const orig = h.reset.bind(h);
      h.reset = async (ids, onStep) => {
        events.push(`start ${h.name}`);
        try {
          return await orig(ids, onStep);
        } finally {
          events.push(`end ${h.name}`);
        }
      };
    }
    await reset([...onA, ...onB], rt, "bulk");
    // Both hosts' runs were under way before either ended.
    expect(events.slice(0, 2).sort()).toEqual(["start store-a", "start store-b"]);
    b!.setDown("connection refused");
    const job = await reset([...onA, ...onB], rt, "bulk");
    expect(job.machines.filter((m) => onA.includes(m.id)).every((m) => m.ok)).toBe(true);
    expect(job.machines.filter((m) => onB.includes(m.id)).every((m) => !m.ok && m.error?.includes("connection refused"))).toBe(true);
    // The grid marks store-b's PCs unknown and says since when, without blocking store-a's.
    const view = await rt.machinesView();
    expect(view.hosts.find((h) => h.name === "store-b")).toMatchObject({ failing: { message: expect.stringContaining("connection refused") } });
    expect(view.machines.filter((m) => m.host === "store-b").every((m) => m.level === "unknown")).toBe(true);
    expect(view.machines.filter((m) => m.host === "store-a").every((m) => m.level === "normal")).toBe(true);
    cleanup();
  });

  it("marks rows left running by a dead process as interrupted at start", async () => {
    const id = ctx.rt.history.start({
      machineId: 1,
      machineName: "retro-01",
      source: "dashboard",
      requestedBy: null,
      batchId: null,
      startedAt: Date.now(),
      stateBefore: null,
      usedBefore: null,
      totalBefore: null,
    });
    expect(ctx.rt.history.markInterrupted(Date.now())).toBe(1);
    expect(ctx.rt.history.get(id)?.result).toBe("interrupted");
  });
});

async function until(cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("a reset job whatever the database or the host does", () => {
  it("a history row the database refuses twice stops neither the other PCs' rows nor holds of another host's PCs still resetting", async () => {
    const { rt, cleanup } = await testRuntime({ COWHERD_SIM_HOSTS: "2" });
    const quiet = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const [, b] = rt.room.hosts() as SimHost[];
      const onA = rt.config.machines
        .filter((m) => m.host === "store-a")
        .map((m) => m.id)
        .slice(0, 2) as [number, number];
      const onB = rt.config.machines.find((m) => m.host === "store-b")!.id;
      // store-b's reset is still running while store-a's run ends.
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const resetB = b!.reset.bind(b);
      b!.reset = async (ids, onStep) => {
        await gate;
        return resetB(ids, onStep);
      };
      // The first PC's row cannot be completed (SQLITE_BUSY beyond busy_timeout, twice).
      const finish = rt.history.finish.bind(rt.history);
      let refusing = true;
      rt.history.finish = (id, r) => {
        if (refusing && rt.history.get(id)?.machineId === onA[0]) throw new Database.SqliteError("database is locked", "SQLITE_BUSY");
        finish(id, r);
      };
      const job = rt.orchestrator.submit([...onA, onB], { source: "bulk", requestedBy: "admin" });
      await until(() => onA.every((id) => rt.orchestrator.job(job.id)!.machines.find((m) => m.id === id)!.state === "done"));
      const rows = () => new Map(rt.history.list({ page: 1, pageSize: 10 }).rows.map((r) => [r.machineId, r]));
      expect(rows().get(onA[1])).toMatchObject({ result: "ok", outcome: "fresh" });
      expect(rt.orchestrator.job(job.id)!.machines.find((m) => m.id === onA[0])).toMatchObject({ state: "done", ok: true, outcome: "fresh" });
      // store-b's PC is still held: a second reset of it is refused while the first runs.
      expect(rt.orchestrator.progress().has(onB)).toBe(true);
      expect(() => rt.orchestrator.submit([onB], { source: "dashboard", requestedBy: "other" })).toThrow(expect.objectContaining({ status: 409 }));
      open();
      expect((await rt.orchestrator.wait(job.id)).summary).toMatchObject({ ok: 3, failed: 0, pending: 0 });
      expect(rows().get(onB)).toMatchObject({ result: "ok" });
      // The refused row is written with the next one the database takes.
      expect(rows().get(onA[0])!.result).toBe("running");
      refusing = false;
      await reset([onB], rt);
      expect(rows().get(onA[0])).toMatchObject({ result: "ok", outcome: "fresh" });
    } finally {
      quiet.mockRestore();
      cleanup();
    }
  });

  it("the host's answer after its timeout completes the row left 'unknown', and the job", async () => {
    const quiet = vi.spyOn(console, "error").mockImplementation(() => undefined);
    let answer!: (r: ResetReport[]) => void;
    ctx.sim.reset = async () => {
      throw new LateAnswerError("storage host local: reset timed out after 60000 ms", "timeout", new Promise<ResetReport[]>((r) => (answer = r)));
    };
    const job = await reset([4]);
    expect(job.machines[0]).toMatchObject({ ok: false, outcome: "unknown", failedStep: "timeout" });
    expect(ctx.rt.history.list({ page: 1, pageSize: 5 }).rows[0]).toMatchObject({ result: "failed", outcome: "unknown" });
    answer([{ id: 4, ok: true, outcome: "fresh", steps: [{ step: "check", ok: true, ms: 1 }], recovery: [] }]);
    await until(() => ctx.rt.history.list({ page: 1, pageSize: 5 }).rows[0]!.result === "ok");
    expect(ctx.rt.history.list({ page: 1, pageSize: 5 }).rows[0]).toMatchObject({ result: "ok", outcome: "fresh", error: null, failedStep: null });
    expect(ctx.rt.orchestrator.job(job.id)!.machines[0]).toMatchObject({ ok: true, outcome: "fresh" });
    quiet.mockRestore();
  });
});

describe("a reset clears the PC's reset at next boot", () => {
  it("a fresh reset removes a mark made before it; a failed one, or a mark made while it ran, stays", async () => {
    const { boots, orchestrator } = ctx.rt;
    boots.setPending(3, "admin", Date.now() - 1000);
    const done = await reset([3]);
    expect(done.machines[0]).toMatchObject({ ok: true, outcome: "fresh" });
    expect(boots.pending().has(3)).toBe(false);
    // A reset that keeps the old disk did not do what the mark asks.
    boots.setPending(5, "admin", Date.now() - 1000);
    ctx.sim.reset = async (ids) =>
      ids.map((id) => ({ id, ok: false, failedStep: "cow-zero", error: "I/O error", steps: [], recovery: [], outcome: "kept-old" as const }));
    await reset([5]);
    expect(boots.pending().has(5)).toBe(true);
    // A mark made while the reset ran asks for one more.
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    ctx.sim.reset = async (ids) => {
      await gate;
      return ids.map((id) => ({ id, ok: true, steps: [], recovery: [], outcome: "fresh" as const }));
    };
    const job = orchestrator.submit([6], { source: "dashboard", requestedBy: "admin" });
    await new Promise((r) => setTimeout(r, 10));
    boots.setPending(6, "admin", Date.now() + 5);
    open();
    await orchestrator.wait(job.id);
    expect(boots.pending().has(6)).toBe(true);
  });
});
