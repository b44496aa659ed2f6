import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GET as machinesGet } from "@/app/api/machines/route";
import { POST as resetPost } from "@/app/api/machines/[id]/reset/route";
import { POST as bulkPost } from "@/app/api/resets/route";
import { GET as historyGet } from "@/app/api/history/route";
import { GET as jobGet } from "@/app/api/jobs/[id]/route";
import { POST as loginPost } from "@/app/api/auth/login/route";
import { POST as logoutPost } from "@/app/api/auth/logout/route";
import { GET as metricsGet } from "@/app/metrics/route";
import { GET as unknownGet } from "@/app/api/[...rest]/route";
import { POST as usersPost } from "@/app/api/users/route";
import { adminCookie, call } from "../helpers/routes";
import { errorShape, spyOnResets, testRuntime } from "../helpers/runtime";

let ctx: Awaited<ReturnType<typeof testRuntime>>;
let cookie: string;
let hostCalls: ReturnType<typeof spyOnResets>;

beforeEach(async () => {
  ctx = await testRuntime();
  cookie = await adminCookie();
  hostCalls = spyOnResets(ctx.sim);
});
afterEach(() => ctx.cleanup());

describe("API", () => {
  it("GET /api/machines lists 14 PCs with the documented fields", async () => {
    const r = await call(machinesGet, { cookie });
    expect(r.status).toBe(200);
    expect(r.json.machines).toHaveLength(14);
    expect(r.json.machines[0]).toMatchObject({
      id: 1,
      name: "retro-01",
      ip: "127.0.0.41",
      state: "ok",
      usedSectors: 128,
      totalSectors: 409600,
      percent: 0,
      online: false,
      lastResetAt: null,
    });
  });

  it.each([
    ["GET /api/machines", () => call(machinesGet)],
    ["POST reset", () => call(resetPost, { method: "POST", params: { id: "1" } })],
    ["POST /api/resets", () => call(bulkPost, { body: { machines: "all" } })],
    ["GET /api/history", () => call(historyGet)],
    ["GET /api/jobs/{id}", () => call(jobGet, { params: { id: "00000000-0000-4000-8000-000000000000" } })],
    ["POST logout", () => call(logoutPost, { method: "POST" })],
    ["unknown API path", () => call(unknownGet, { url: "/api/nope" })],
  ])("%s without a session is 401 in the standard shape", async (_n, fn) => {
    const r = await fn();
    expect(r.status).toBe(401);
    expect(r.json).toEqual(errorShape);
    expect(hostCalls).not.toHaveBeenCalled();
  });

  it("a forged or stale cookie is 401", async () => {
    expect((await call(machinesGet, { cookie: "cowherd_session=forged" })).status).toBe(401);
    await call(logoutPost, { method: "POST", cookie });
    expect((await call(machinesGet, { cookie })).status).toBe(401);
  });

  it("login: wrong password and unknown user give the same 401; session cookie is httpOnly + SameSite=Strict", async () => {
    const wrong = await call(loginPost, { body: { username: "admin", password: "nope" } });
    const nouser = await call(loginPost, { body: { username: "ghost", password: "nope" } });
    expect(wrong.status).toBe(401);
    expect(nouser.json).toEqual(wrong.json);
    const ok = await call(loginPost, { body: { username: "admin", password: "test-admin-password" } });
    const set = ok.headers.get("set-cookie")!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
  });

  it.each(["0", "15", "-1", "1;reboot", "01", "1e3", " 1", "abc", "1.0", "9999"])("reset with bad id %j is 400/404 and never touches the host", async (id) => {
    const r = await call(resetPost, { method: "POST", params: { id }, cookie });
    expect([400, 404]).toContain(r.status);
    expect(r.json).toEqual(errorShape);
    expect(hostCalls).not.toHaveBeenCalled();
  });

  /** Polls GET /api/jobs/{id} as the dashboard and the CLI do, until the job is finished. */
  async function finished(jobId: string) {
    for (;;) {
      const r = await call(jobGet, { url: `/api/jobs/${jobId}`, params: { id: jobId }, cookie });
      expect(r.status).toBe(200);
      if (r.json.job.finishedAt !== null) return r.json.job;
      await new Promise((res) => setTimeout(res, 5));
    }
  }

  it("POST /api/machines/3/reset answers 202 with a job; the job ends fresh, and the history row says so", async () => {
    ctx.sim.write(3, 10_000);
    const r = await call(resetPost, { method: "POST", params: { id: "3" }, cookie });
    expect(r.status).toBe(202);
    expect(r.headers.get("location")).toBe(`/api/jobs/${r.json.job.id}`);
    expect(r.json.job.machines).toEqual([expect.objectContaining({ id: 3, state: "queued" })]);
    const job = await finished(r.json.job.id);
    expect(job.machines[0]).toMatchObject({ id: 3, state: "done", ok: true, outcome: "fresh" });
    const h = await call(historyGet, { url: "/api/history?machine=3", cookie });
    expect(h.json.resets[0]).toMatchObject({
      machineId: 3,
      source: "dashboard",
      requestedBy: "admin",
      result: "ok",
      usedBefore: 10_048 + 128,
      batchId: job.id,
    });
    expect((await ctx.sim.status()).machines.find((m) => m.id === 3)!.usedSectors).toBe(128);
  });

  it("a failing reset is a job result (never an HTTP error): the step, the message, where the PC ended", async () => {
    ctx.sim.injectFault(2, "dm-error", 1, "Device or resource busy");
    const r = await call(resetPost, { method: "POST", params: { id: "2" }, cookie });
    expect(r.status).toBe(202);
    const job = await finished(r.json.job.id);
    expect(job.summary).toMatchObject({ ok: 0, failed: 1 });
    expect(job.machines[0]).toMatchObject({ ok: false, failedStep: "dm-error", error: "Device or resource busy", outcome: "kept-old" });
    const h = await call(historyGet, { url: "/api/history?machine=2", cookie });
    expect(h.json.resets[0]).toMatchObject({ result: "failed", failedStep: "dm-error", outcome: "kept-old" });
  });

  it("a reset of a PC that is already resetting is 409 and starts nothing", async () => {
    ctx.cleanup();
    ctx = await testRuntime({ COWHERD_SIM_STEP_MS: "30" });
    cookie = await adminCookie();
    const first = await call(resetPost, { method: "POST", params: { id: "4" }, cookie });
    const second = await call(resetPost, { method: "POST", params: { id: "4" }, cookie });
    expect(second.status).toBe(409);
    expect(second.json.error.code).toBe("reset_in_progress");
    await finished(first.json.job.id);
    expect((await call(historyGet, { url: "/api/history?machine=4", cookie })).json.total).toBe(1);
  });

  it("GET /api/jobs/{id}: 400 for a malformed id, 404 for an unknown one", async () => {
    expect((await call(jobGet, { url: "/api/jobs/x", params: { id: "1;drop" }, cookie })).status).toBe(400);
    expect((await call(jobGet, { url: "/api/jobs/x", params: { id: "00000000-0000-4000-8000-000000000000" }, cookie })).status).toBe(404);
  });

  it.each([
    ["malformed JSON", { rawBody: "{nope" }],
    ["wrong type", { body: { machines: "some" } }],
    ["unknown field", { body: { machines: [1], force: true } }],
    ["ids as strings", { body: { machines: ["1"] } }],
    ["empty list", { body: { machines: [] } }],
    ["not JSON content type", { rawBody: "machines=all", contentType: "application/x-www-form-urlencoded" }],
  ])("bulk reset with %s is 400 and the host is never called", async (_n, o) => {
    const r = await call(bulkPost, { ...o, cookie });
    expect(r.status).toBe(400);
    expect(r.json).toEqual(errorShape);
    expect(hostCalls).not.toHaveBeenCalled();
  });

  it("bulk reset with a body over the cap is 413 and the host is never called", async () => {
    const r = await call(bulkPost, { rawBody: JSON.stringify({ machines: [1], pad: "x".repeat(100_000) }), cookie });
    expect(r.status).toBe(413);
    expect(r.json).toEqual(errorShape);
    expect(hostCalls).not.toHaveBeenCalled();
  });

  it("bulk reset with an unknown id is 404 before any PC is touched", async () => {
    const r = await call(bulkPost, { body: { machines: [1, 2, 77] }, cookie });
    expect(r.status).toBe(404);
    expect(hostCalls).not.toHaveBeenCalled();
  });

  it('bulk reset "all" resets every PC in one host call', async () => {
    const r = await call(bulkPost, { body: { machines: "all" }, cookie });
    expect(r.status).toBe(202);
    const job = await finished(r.json.job.id);
    expect(job.summary).toEqual({ requested: 14, ok: 14, failed: 0, refused: 0, pending: 0 });
    expect(hostCalls).toHaveBeenCalledTimes(1);
    expect(hostCalls).toHaveBeenCalledWith(Array.from({ length: 14 }, (_, i) => i + 1));
    const h = await call(historyGet, { url: "/api/history?pageSize=50", cookie });
    expect(h.json.resets.map((x: { source: string; batchId: string }) => [x.source, x.batchId])).toEqual(Array(14).fill(["bulk", job.id]));
  });

  it("history filters by PC and result, newest first, paged", async () => {
    ctx.sim.injectFault(1, "dm-load");
    for (const id of [1, 2, 1, 3]) await finished((await call(resetPost, { method: "POST", params: { id: String(id) }, cookie })).json.job.id);
    const all = await call(historyGet, { url: "/api/history?pageSize=2", cookie });
    expect(all.json.total).toBe(4);
    expect(all.json.resets.map((r: { machineId: number }) => r.machineId)).toEqual([3, 1]);
    const page2 = await call(historyGet, { url: "/api/history?pageSize=2&page=2", cookie });
    expect(page2.json.resets.map((r: { machineId: number }) => r.machineId)).toEqual([2, 1]);
    const failed = await call(historyGet, { url: "/api/history?result=failed", cookie });
    expect(failed.json.resets).toHaveLength(1);
    expect(failed.json.resets[0]).toMatchObject({ machineId: 1, failedStep: "dm-load" });
    expect((await call(historyGet, { url: "/api/history?machine=1", cookie })).json.total).toBe(2);
    expect((await call(historyGet, { url: "/api/history?result=bogus", cookie })).status).toBe(400);
    expect((await call(historyGet, { url: "/api/history?page=0", cookie })).status).toBe(400);
  });

  it("metrics: open from loopback, login needed from elsewhere; counts status reads", async () => {
    const far = await call(metricsGet, { url: "/metrics", headers: { "x-cowherd-peer": "10.9.8.7" } });
    expect(far.status).toBe(401);
    const r = await call(metricsGet, { url: "/metrics", headers: { "x-cowherd-peer": "::ffff:127.0.0.1" } });
    expect(r.status).toBe(200);
    expect(r.text).toContain('cowherd_cow_used_sectors{machine="retro-01",ip="127.0.0.41"} 128');
    expect(r.text).toContain('cowherd_machine_state{machine="retro-01",ip="127.0.0.41",state="ok"} 1');
    expect(r.text).toMatch(/^cowherd_host_status_reads_total \d+$/m);
  });

  it("five parallel creations of the same user (names differ in case only): one 201, four 409, no 500", async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        call(usersPost, { body: { username: i % 2 ? "Twin" : "twin", password: "twin-password-1", role: "viewer" }, cookie }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(answers.filter((a) => a.status === 409).every((a) => a.json.error.code === "user_exists")).toBe(true);
  });
});
