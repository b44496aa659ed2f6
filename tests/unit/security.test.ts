import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GET as machinesGet } from "@/app/api/machines/route";
import { POST as resetPost } from "@/app/api/machines/[id]/reset/route";
import { POST as bulkPost } from "@/app/api/resets/route";
import { GET as historyGet } from "@/app/api/history/route";
import { POST as loginPost } from "@/app/api/auth/login/route";
import { POST as logoutAllPost } from "@/app/api/auth/logout-all/route";
import { GET as usersGet, POST as usersPost } from "@/app/api/users/route";
import { DELETE as userDelete, PATCH as userPatch } from "@/app/api/users/[id]/route";
import { GET as tokensGet, POST as tokensPost } from "@/app/api/tokens/route";
import { DELETE as tokenDelete } from "@/app/api/tokens/[id]/route";
import { GET as auditGet } from "@/app/api/audit/route";
import { adminCookie, call } from "../helpers/routes";
import { ADMIN_PASSWORD, errorShape, spyOnResets, testRuntime } from "../helpers/runtime";

let ctx: Awaited<ReturnType<typeof testRuntime>>;
let admin: string;
let hostCalls: ReturnType<typeof spyOnResets>;

beforeEach(async () => {
  ctx = await testRuntime();
  admin = await adminCookie();
  hostCalls = spyOnResets(ctx.sim);
});
afterEach(() => ctx.cleanup());

async function viewerCookie(): Promise<string> {
  expect((await call(usersPost, { body: { username: "watcher", password: "watcher-password", role: "viewer" }, cookie: admin })).status).toBe(201);
  const r = await call(loginPost, { body: { username: "watcher", password: "watcher-password" } });
  return r.headers.get("set-cookie")!.split(";")[0]!;
}

const adminActions = [
  ["POST /api/machines/1/reset", (c: string) => call(resetPost, { method: "POST", params: { id: "1" }, cookie: c })],
  ["POST /api/resets", (c: string) => call(bulkPost, { body: { machines: "all" }, cookie: c })],
  ["GET /api/users", (c: string) => call(usersGet, { cookie: c })],
  ["POST /api/users", (c: string) => call(usersPost, { body: { username: "x", password: "xxxxxxxxxxxx", role: "admin" }, cookie: c })],
  ["PATCH /api/users/1", (c: string) => call(userPatch, { method: "PATCH", params: { id: "1" }, body: { role: "viewer" }, cookie: c })],
  ["DELETE /api/users/1", (c: string) => call(userDelete, { method: "DELETE", params: { id: "1" }, cookie: c })],
  ["GET /api/tokens", (c: string) => call(tokensGet, { cookie: c })],
  ["POST /api/tokens", (c: string) => call(tokensPost, { body: { name: "t", scope: "admin" }, cookie: c })],
  ["DELETE /api/tokens/1", (c: string) => call(tokenDelete, { method: "DELETE", params: { id: "1" }, cookie: c })],
  ["GET /api/audit", (c: string) => call(auditGet, { cookie: c })],
] as const;

describe("roles", () => {
  it.each(adminActions)("%s without a session is 401", async (_n, fn) => {
    const r = await fn("");
    expect(r.status).toBe(401);
    expect(r.json).toEqual(errorShape);
    expect(hostCalls).not.toHaveBeenCalled();
  });

  it.each(adminActions)("%s as viewer is 403 and audited", async (name, fn) => {
    const viewer = await viewerCookie();
    const r = await fn(viewer);
    expect(r.status).toBe(403);
    expect(r.json).toEqual(errorShape);
    expect(hostCalls).not.toHaveBeenCalled();
    expect(ctx.rt.audit.list({ action: "access.denied", page: 1, pageSize: 5 }).rows[0]).toMatchObject({
      actor: "watcher",
      actorKind: "user",
      outcome: "denied",
      target: expect.stringMatching(new RegExp(`^${name.split(" ")[0]} `)),
    });
  });

  it("a viewer can read the grid and the history", async () => {
    const viewer = await viewerCookie();
    expect((await call(machinesGet, { cookie: viewer })).status).toBe(200);
    expect((await call(historyGet, { cookie: viewer })).status).toBe(200);
  });

  it("at least one admin always remains", async () => {
    const r = await call(userPatch, { method: "PATCH", params: { id: "1" }, body: { role: "viewer" }, cookie: admin });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe("last_admin");
    expect((await call(userDelete, { method: "DELETE", params: { id: "1" }, cookie: admin })).status).toBe(409);
    await call(usersPost, { body: { username: "second", password: "second-password", role: "admin" }, cookie: admin });
    expect((await call(userPatch, { method: "PATCH", params: { id: "1" }, body: { role: "viewer" }, cookie: admin })).status).toBe(200);
    // The demoted admin's sessions ended with the change.
    expect((await call(machinesGet, { cookie: admin })).status).toBe(401);
  });
});

describe("CSRF", () => {
  it("a cross-origin POST with a valid admin cookie is 403 and changes nothing", async () => {
    const r = await call(resetPost, { method: "POST", params: { id: "1" }, cookie: admin, headers: { origin: "http://evil.example" } });
    expect(r.status).toBe(403);
    expect(hostCalls).not.toHaveBeenCalled();
    expect(ctx.rt.history.list({ page: 1, pageSize: 5 }).total).toBe(0);
  });

  it("falls back to Referer, and refuses a cookie POST that has neither", async () => {
    const noOrigin = { host: "localhost:3000", origin: "" };
    const viaReferer = await call(bulkPost, { body: { machines: [1] }, cookie: admin, headers: { ...noOrigin, referer: "http://localhost:3000/" } });
    expect(viaReferer.status).toBe(202);
    await ctx.rt.orchestrator.wait(viaReferer.json.job.id);
    const evilReferer = await call(bulkPost, { body: { machines: [1] }, cookie: admin, headers: { ...noOrigin, referer: "http://evil.example/page" } });
    expect(evilReferer.status).toBe(403);
    const neither = await call(bulkPost, { body: { machines: [1] }, cookie: admin, headers: noOrigin });
    expect(neither.status).toBe(403);
    expect(hostCalls).toHaveBeenCalledTimes(1);
  });

  it("rejects Origin: null and a look-alike host", async () => {
    for (const origin of ["null", "http://localhost:3000.evil.example", "http://evil.example:3000"]) {
      expect((await call(resetPost, { method: "POST", params: { id: "2" }, cookie: admin, headers: { origin } })).status).toBe(403);
    }
    expect(hostCalls).not.toHaveBeenCalled();
  });
});

describe("API tokens", () => {
  it("are shown once, stored hashed, scoped, revocable, with last use recorded", async () => {
    const created = await call(tokensPost, { body: { name: "ci script", scope: "read" }, cookie: admin });
    expect(created.status).toBe(201);
    const token: string = created.json.token;
    expect(token).toMatch(/^cwh_/);
    const stored = ctx.rt.db.prepare("SELECT token_hash FROM api_tokens").pluck().get() as string;
    expect(stored).not.toContain(token);
    expect(JSON.stringify((await call(tokensGet, { cookie: admin })).json)).not.toContain(token);
    const bearer = { authorization: `Bearer ${token}`, origin: "" };
    expect((await call(machinesGet, { headers: bearer })).status).toBe(200);
    expect(ctx.rt.tokens.get(created.json.info.id)!.lastUsedAt).not.toBeNull();
    // read scope: no resets, even without Origin (a script)
    expect((await call(resetPost, { method: "POST", params: { id: "1" }, headers: bearer })).status).toBe(403);
    const adminTok = (await call(tokensPost, { body: { name: "ops", scope: "admin" }, cookie: admin })).json.token;
    expect((await call(resetPost, { method: "POST", params: { id: "1" }, headers: { authorization: `Bearer ${adminTok}`, origin: "" } })).status).toBe(202);
    expect(ctx.rt.history.list({ page: 1, pageSize: 1 }).rows[0]!.requestedBy).toBe("token:ops");
    expect((await call(tokenDelete, { method: "DELETE", params: { id: String(created.json.info.id) }, cookie: admin })).status).toBe(200);
    expect((await call(machinesGet, { headers: bearer })).status).toBe(401);
    expect((await call(machinesGet, { headers: { authorization: "Bearer cwh_forged" } })).status).toBe(401);
  });
});

describe("login abuse", () => {
  it("slows brute force per account with growing delays, then lets the real admin in after the window", async () => {
    let now = 1_000_000;
    ctx.rt.limiter.now = () => now;
    const attempt = (password: string, from = "10.0.0.9") => call(loginPost, { body: { username: "admin", password }, headers: { "x-cowherd-peer": from } });
    for (let i = 0; i < 5; i++) expect((await attempt("guess" + i)).status).toBe(401);
    const limited = await attempt("guess-x");
    expect(limited.status).toBe(429);
    // The README's first value: "each further attempt waits 2, 4, 8 … s".
    expect(limited.headers.get("retry-after")).toBe("2");
    // Even the right password waits from an address that never logged in: nothing is checked while locked.
    expect((await attempt(ADMIN_PASSWORD, "10.0.0.10")).status).toBe(429);
    now += 2_100;
    expect((await attempt("guess-6")).status).toBe(401);
    now += 2_100;
    // One more failure doubled the wait: 2.1 s was enough before, not now.
    const doubled = await attempt("guess-7");
    expect(doubled.status).toBe(429);
    expect(doubled.headers.get("retry-after")).toBe("2");
    now += 16 * 60_000; // the window passes
    expect((await attempt(ADMIN_PASSWORD)).status).toBe(200);
    ctx.rt.audit.flush(true); // repeated refusals from one address are one row per minute with a count
    const audit = ctx.rt.audit.list({ action: "login", page: 1, pageSize: 50 }).rows;
    expect(audit.filter((r) => r.outcome === "failed").length).toBe(6);
    expect(audit.filter((r) => r.outcome === "denied").reduce((n, r) => n + r.count, 0)).toBe(3);
    expect(audit[0]).toMatchObject({ outcome: "ok", actor: "admin", address: "10.0.0.9" });
  });

  it("limits per source address across account names, and does not reveal which names exist", async () => {
    const now = 5_000_000;
    ctx.rt.limiter.now = () => now;
    const answers = [];
    for (let i = 0; i < 6; i++) {
      const r = await call(loginPost, { body: { username: `user${i}`, password: "x" }, headers: { "x-cowherd-peer": "10.0.0.77" } });
      answers.push(r.status);
    }
    expect(answers).toEqual([401, 401, 401, 401, 401, 429]);
    const ghost = await call(loginPost, { body: { username: "ghost", password: "x" } });
    const real = await call(loginPost, { body: { username: "admin", password: "x" } });
    expect(ghost.json).toEqual(real.json);
  });

  it("rotates the session id on login and can log out everywhere", async () => {
    const again = await call(loginPost, { body: { username: "admin", password: ADMIN_PASSWORD }, cookie: admin });
    const fresh = again.headers.get("set-cookie")!.split(";")[0]!;
    expect(fresh).not.toBe(admin);
    expect((await call(machinesGet, { cookie: admin })).status).toBe(401);
    const other = await adminCookie();
    expect((await call(logoutAllPost, { method: "POST", cookie: fresh })).json.ended).toBe(2);
    expect((await call(machinesGet, { cookie: other })).status).toBe(401);
  });
});

describe("audit log", () => {
  it("records resets, user and token changes, and cannot be altered", async () => {
    await call(resetPost, { method: "POST", params: { id: "4" }, cookie: admin });
    await call(bulkPost, { body: { machines: [1, 2] }, cookie: admin });
    await call(usersPost, { body: { username: "bob", password: "bob-password", role: "viewer" }, cookie: admin });
    await call(tokensPost, { body: { name: "t1", scope: "read" }, cookie: admin });
    const r = await call(auditGet, { url: "/api/audit?pageSize=20", cookie: admin });
    const actions = r.json.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["login", "reset", "reset.bulk", "user.create", "token.create"]));
    expect(r.json.entries.find((e: { action: string }) => e.action === "reset")).toMatchObject({
      actor: "admin",
      actorKind: "user",
      target: "retro-04",
      outcome: "ok",
    });
    expect(() => ctx.rt.db.prepare("UPDATE audit_log SET outcome = 'ok'").run()).toThrow(/append-only/);
    expect(() => ctx.rt.db.prepare("DELETE FROM audit_log").run()).toThrow(/append-only/);
    expect((await call(auditGet, { url: "/api/audit?outcome=denied", cookie: admin })).json.total).toBe(0);
    expect((await call(auditGet, { url: "/api/audit?action=DROP%20TABLE", cookie: admin })).status).toBe(400);
  });
});

describe("login form without JavaScript", () => {
  it("a plain form POST logs in with a redirect, and a wrong password redirects back without echoing it", async () => {
    const ok = await call(loginPost, { rawBody: `username=admin&password=${ADMIN_PASSWORD}`, contentType: "application/x-www-form-urlencoded" });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/");
    expect(ok.headers.get("set-cookie")).toMatch(/^cowherd_session=.+HttpOnly/);
    const bad = await call(loginPost, { rawBody: "username=admin&password=hunter2hunter2", contentType: "application/x-www-form-urlencoded" });
    expect(bad.status).toBe(303);
    expect(bad.headers.get("location")).toBe("/login?error=wrong");
    expect(bad.headers.get("set-cookie")).toBeNull();
    const cross = await call(loginPost, {
      rawBody: `username=admin&password=${ADMIN_PASSWORD}`,
      contentType: "application/x-www-form-urlencoded",
      headers: { origin: "http://evil.example" },
    });
    expect(cross.status).toBe(403);
  });
});
