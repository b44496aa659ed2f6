import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as resetPost } from "@/app/api/machines/[id]/reset/route";
import { DELETE as keepDelete, PUT as keepPut } from "@/app/api/machines/[id]/keep/route";
import { POST as bulkPost } from "@/app/api/resets/route";
import { GET as machinesGet } from "@/app/api/machines/route";
import { bootScriptFor } from "@/lib/boot/handlers";
import { bootReset } from "@/lib/legacy/handlers";
import { createRuntime, type Runtime } from "@/lib/runtime";
import { demoConfig } from "@/lib/config/demo";
import { skipKept } from "@/lib/reset/keep";
import { adminCookie, call } from "../helpers/routes";
import { spyOnResets, testRuntime } from "../helpers/runtime";

let ctx: Awaited<ReturnType<typeof testRuntime>>;
let cookie: string;
let hostCalls: ReturnType<typeof spyOnResets>;
beforeEach(async () => {
  ctx = await testRuntime();
  cookie = await adminCookie();
  hostCalls = spyOnResets(ctx.sim);
});
afterEach(() => ctx.cleanup());

const keep = (id: number, body?: unknown) => call(keepPut, { method: "PUT", params: { id: String(id) }, cookie, ...(body ? { body } : {}) });
const audits = (action: string) => ctx.rt.audit.list({ action, page: 1, pageSize: 10 }).rows;

/** PCs with an open iSCSI session, as the boot tracker sees them after a look at the room. */
async function up(...ids: number[]) {
  for (const id of ids) ctx.sim.setMachine(id, { online: true });
  ctx.rt.room.invalidate("local");
  ctx.rt.bootTracker.observe(await ctx.rt.room.read());
}

describe("keeping a PC: the mark, its audit rows, and what the grid sees", () => {
  it("PUT marks it (who, when, why), audited; /api/machines shows it; DELETE removes it, audited; a second DELETE is a 404", async () => {
    const r = await keep(5, { reason: "driver installer, 3 reboots" });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ kept: { keptBy: "admin", reason: "driver installer, 3 reboots" }, cancelledPending: false });
    const view = await call(machinesGet, { cookie });
    const pc = (id: number) => view.json.machines.find((m: { id: number }) => m.id === id);
    expect(pc(5).kept).toMatchObject({ keptBy: "admin", keptAt: expect.any(Number), reason: "driver installer, 3 reboots" });
    expect(pc(6).kept).toBeNull();
    expect(audits("keep.set")).toEqual([expect.objectContaining({ actor: "admin", target: "retro-05", outcome: "ok", detail: "driver installer, 3 reboots" })]);

    expect((await call(keepDelete, { method: "DELETE", params: { id: "5" }, cookie })).status).toBe(200);
    expect(ctx.rt.keeps.get(5)).toBeUndefined();
    expect(audits("keep.remove")).toEqual([expect.objectContaining({ actor: "admin", target: "retro-05", outcome: "ok" })]);
    const again = await call(keepDelete, { method: "DELETE", params: { id: "5" }, cookie });
    expect([again.status, again.json.error.code, again.json.error.message]).toEqual([404, "not_found", "retro-05 is not kept"]);
  });

  it("bad input changes nothing: an unknown PC, a reason with control characters, an unknown key", async () => {
    expect((await keep(99)).status).toBe(404);
    expect((await keep(5, { reason: "a\u0000b" })).status).toBe(400);
    expect((await keep(5, { reason: "x", confirm: true })).status).toBe(400);
    expect(ctx.rt.keeps.all().size).toBe(0);
    expect(audits("keep.set")).toEqual([]);
  });

  it("admins only, and from an allowed origin", async () => {
    const anonymous = await call(keepPut, { method: "PUT", params: { id: "5" } });
    expect(anonymous.status).toBe(401);
    const cross = await call(keepPut, { method: "PUT", params: { id: "5" }, cookie, headers: { origin: "http://evil.example" } });
    expect(cross.status).toBe(403);
    expect(ctx.rt.keeps.all().size).toBe(0);
  });
});

describe("resets that leave a kept PC alone, and say so", () => {
  it("a bulk reset skips it and lists it in `kept`; the others are reset; the audit row names it", async () => {
    await keep(5);
    const r = await call(bulkPost, { body: { machines: [4, 5, 6] }, cookie });
    expect(r.status).toBe(202);
    expect(r.json.kept).toEqual([5]);
    expect(r.json.job.machines.map((m: { id: number }) => m.id)).toEqual([4, 6]);
    await ctx.rt.orchestrator.wait(r.json.job.id);
    expect(hostCalls.mock.calls.flat(2)).not.toContain(5);
    expect(audits("reset.bulk")[0]!.detail).toContain("left alone (kept): retro-05");
  });

  it("only kept PCs named: no job (200), nothing reaches the host", async () => {
    await keep(5);
    const r = await call(bulkPost, { body: { machines: [5] }, cookie });
    expect([r.status, r.json]).toEqual([200, { job: null, nextBoot: [], online: [], kept: [5] }]);
    expect(hostCalls).not.toHaveBeenCalled();
  });

  it('"Reset all before the event" (every PC, the running ones at next boot): a kept PC is neither reset nor marked, up or off', async () => {
    await keep(3);
    await keep(7);
    await up(7, 8);
    const r = await call(bulkPost, { body: { machines: "all", whenOnline: "next-boot" }, cookie });
    expect(r.status).toBe(202);
    expect(r.json.kept).toEqual([3, 7]);
    expect(r.json.nextBoot).toEqual([8]);
    expect(r.json.job.machines.map((m: { id: number }) => m.id)).not.toContain(3);
    expect(ctx.rt.boots.pending().has(7)).toBe(false);
    await ctx.rt.orchestrator.wait(r.json.job.id);
    expect(hostCalls.mock.calls.flat(2)).not.toContain(3);
  });

  it("Prepare's forced reset of lost disks skips a kept PC too", async () => {
    ctx.sim.setMachine(5, { health: "invalid" });
    await keep(5);
    const r = await call(bulkPost, { body: { machines: [5], whenOnline: "force" }, cookie });
    expect([r.status, r.json.kept, r.json.job]).toEqual([200, [5], null]);
  });

  it("skipKept is the one rule (the scheduler's too): the kept ids apart, in the order asked", async () => {
    await keep(2);
    await keep(9);
    expect(skipKept(ctx.rt.keeps, [9, 1, 2, 3])).toEqual({ reset: [1, 3], kept: [9, 2] });
  });
});

describe("a single reset of a kept PC", () => {
  it("without confirmKept: 409 machine-kept saying it is kept and by whom, nothing runs", async () => {
    await keep(5, { reason: "installer" });
    const r = await call(resetPost, { method: "POST", params: { id: "5" }, cookie });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe("machine-kept");
    expect(r.json.error.message).toMatch(/retro-05 is kept .*marked by admin: installer.*confirmKept: true/);
    expect(hostCalls).not.toHaveBeenCalled();
    expect(ctx.rt.history.list({ page: 1, pageSize: 5 }).total).toBe(0);
  });

  it("with confirmKept: it is reset (202), the mark stays, the audit row says it was a kept PC", async () => {
    await keep(5);
    const r = await call(resetPost, { method: "POST", params: { id: "5" }, cookie, body: { confirmKept: true } });
    expect(r.status).toBe(202);
    const job = await ctx.rt.orchestrator.wait(r.json.job.id);
    expect(job.machines[0]).toMatchObject({ id: 5, ok: true });
    expect(ctx.rt.keeps.get(5)).toBeDefined();
    expect(audits("reset")[0]!.detail).toMatch(/kept PC \(confirmed\)/);
  });

  it("a PC that is not kept needs no confirmation (and confirmKept changes nothing for it)", async () => {
    for (const [id, body] of [
      ["6", undefined],
      ["7", { confirmKept: true }],
    ] as const) {
      const r = await call(resetPost, { method: "POST", params: { id }, cookie, ...(body ? { body } : {}) });
      expect(r.status).toBe(202);
      await ctx.rt.orchestrator.wait(r.json.job.id);
    }
  });
});

describe("reset at next boot and a kept PC", () => {
  it("marking a kept PC that is up for its next boot is refused (409 machine-kept), even confirmed, and nothing is marked", async () => {
    await keep(5);
    await up(5);
    for (const body of [{ whenOnline: "next-boot" }, { whenOnline: "next-boot", confirmKept: true }]) {
      const r = await call(resetPost, { method: "POST", params: { id: "5" }, cookie, body });
      expect([r.status, r.json.error.code]).toEqual([409, "machine-kept"]);
    }
    expect(ctx.rt.boots.pending().has(5)).toBe(false);
    // Forced and confirmed, it is reset now.
    const forced = await call(resetPost, { method: "POST", params: { id: "5" }, cookie, body: { whenOnline: "force", confirmKept: true } });
    expect(forced.status).toBe(202);
    await ctx.rt.orchestrator.wait(forced.json.job.id);
  });

  it("keeping a PC cancels the reset waiting for its next boot, and says so (answer and audit)", async () => {
    await up(5);
    await call(resetPost, { method: "POST", params: { id: "5" }, cookie, body: { whenOnline: "next-boot" } });
    expect(ctx.rt.boots.pending().has(5)).toBe(true);
    const r = await keep(5);
    expect(r.json.cancelledPending).toBe(true);
    expect(ctx.rt.boots.pending().has(5)).toBe(false);
    expect(audits("keep.set")[0]!.detail).toBe("its reset at next boot cancelled");
  });

  it("at boot, a kept PC with a mark left from before is not reset: the mark goes, its screen and the audit log say why", async () => {
    ctx.rt.keeps.set(2, { keptBy: "admin", keptAt: Date.now(), reason: null });
    ctx.rt.boots.setPending(2, "admin", Date.now());
    ctx.sim.write(2, 20_000);
    const r = await bootScriptFor(ctx.rt, { peer: "127.0.0.42", forwardedFor: undefined, localAddress: "127.0.0.1", userAgent: "iPXE/1.21.1" });
    expect(r.body).toContain("echo Cowherd: it is kept (its changes are kept): its reset at next boot is cancelled; booting the disk as it is");
    expect(hostCalls).not.toHaveBeenCalled();
    expect((await ctx.sim.status()).machines[1]!.usedSectors).toBeGreaterThan(20_000);
    expect(ctx.rt.boots.pending().has(2)).toBe(false);
    expect(audits("reset.boot")[0]).toMatchObject({ actor: "retro-02", outcome: "denied", detail: expect.stringMatching(/^kept:/) });
  });

  it("the seed's boot-time self-reset (/cgi/reset) refuses a kept PC and boots its disk as it is", async () => {
    const legacy = await testRuntime({}, { boot: { enabled: true, rebootImageUrl: "http://127.0.0.1/reboot.com", minIntervalSeconds: 60 } });
    try {
      const calls = spyOnResets(legacy.sim);
      legacy.rt.keeps.set(1, { keptBy: "admin", keptAt: Date.now(), reason: null });
      const r = await bootReset(legacy.rt, "127.0.0.41", undefined);
      expect(r.status).toBe(409);
      expect(r.body).toContain("retro-01 is kept");
      expect(calls).not.toHaveBeenCalled();
    } finally {
      legacy.cleanup();
    }
  });
});

describe("the mark belongs to the PC (name and address), and survives a restart", () => {
  const open: Runtime[] = [];
  let dir = "";
  afterEach(() => {
    open.splice(0).forEach((rt) => rt.close());
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const start = async (config?: object) => {
    if (config) writeFileSync(path.join(dir, "config.json"), JSON.stringify(config));
    const rt = await createRuntime(
      {
        COWHERD_DATA_DIR: dir,
        COWHERD_ADMIN_PASSWORD: "x".repeat(12),
        COWHERD_SIM_ACTIVITY: "0",
        COWHERD_SIM_STEP_MS: "0",
        ...(config ? { COWHERD_CONFIG: path.join(dir, "config.json") } : {}),
      },
      () => undefined,
    );
    open.push(rt);
    return rt;
  };

  it("kept after a restart; a renumbered config moves it with its PC; the id's new PC is not kept", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "cowherd-keep-"));
    const first = await start();
    first.keeps.set(5, { keptBy: "admin", keptAt: 1, reason: "installer" });
    open.splice(0).forEach((rt) => rt.close());

    const again = await start();
    expect((await again.machinesView()).machines.find((m) => m.id === 5)!.kept).toEqual({ keptBy: "admin", keptAt: 1, reason: "installer" });
    open.splice(0).forEach((rt) => rt.close());

    // retro-05 and retro-06 swap ids: the mark follows retro-05.
    const demo = demoConfig();
    const machines = demo.machines.map((m) => (m.id === 5 ? { ...m, id: 6 } : m.id === 6 ? { ...m, id: 5 } : m));
    const renumbered = await start({ ...demo, machines });
    const view = await renumbered.machinesView();
    expect(view.machines.find((m) => m.name === "retro-05")).toMatchObject({ id: 6, kept: { keptBy: "admin", reason: "installer" } });
    expect(view.machines.find((m) => m.name === "retro-06")).toMatchObject({ id: 5, kept: null });
    expect(skipKept(renumbered.keeps, [5, 6])).toEqual({ reset: [5], kept: [6] });
  });
});
