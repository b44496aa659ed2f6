import { createServer, type Server } from "node:http";
import { createSocket } from "node:dgram";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as usageGet } from "@/app/api/machines/[id]/usage/route";
import { POST as growPost } from "@/app/api/machines/[id]/grow/route";
import { GET as roomGet } from "@/app/api/usage/route";
import { GET as eventsGet } from "@/app/api/events/route";
import { GET as targetsGet, POST as targetsPost } from "@/app/api/alerts/route";
import { PATCH as targetPatch, DELETE as targetDelete } from "@/app/api/alerts/[id]/route";
import { POST as targetTest } from "@/app/api/alerts/[id]/test/route";
import { POST as wakePost } from "@/app/api/wake/route";
import { GET as wakeGet } from "@/app/api/wake/[id]/route";
import { POST as usersPost } from "@/app/api/users/route";
import { POST as loginPost } from "@/app/api/auth/login/route";
import { GET as metricsGet } from "@/app/metrics/route";
import { adminCookie, call } from "../helpers/routes";
import { errorShape, testRuntime } from "../helpers/runtime";

let ctx: Awaited<ReturnType<typeof testRuntime>>;
let cookie: string;
let viewer: string;
let hook: Server;
let hookUrl: string;
let got: { path: string; body: string }[] = [];
let udpPort = 0;
const udp = createSocket("udp4");
const packets: Buffer[] = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => (got.push({ path: req.url!, body }), res.writeHead(204).end()));
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
  udp.on("message", (m) => packets.push(m));
  await new Promise<void>((r) => udp.bind(0, "127.0.0.1", () => r()));
  udpPort = udp.address().port;
});
afterAll(() => {
  hook.close();
  udp.close();
});
beforeEach(async () => {
  ctx = await testRuntime({ COWHERD_SIM_WOL_PORT: String(udpPort), COWHERD_SIM_BOOT_MS: "50" });
  cookie = await adminCookie();
  await call(usersPost, { body: { username: "watcher", password: "watcher-password", role: "viewer" }, cookie });
  const login = await call(loginPost, { url: "/api/auth/login", body: { username: "watcher", password: "watcher-password" } });
  viewer = login.headers.get("set-cookie")!.split(";")[0]!;
  got = [];
  packets.length = 0;
});
afterEach(() => ctx.cleanup());

describe("usage, events, alerts and wake API", () => {
  it.each([
    ["GET usage", () => call(usageGet, { params: { id: "1" } })],
    ["POST grow", () => call(growPost, { body: { mib: 300 }, params: { id: "1" } })],
    ["GET room usage", () => call(roomGet)],
    ["GET events", () => call(eventsGet)],
    ["GET alerts", () => call(targetsGet)],
    ["POST alerts", () => call(targetsPost, { body: { name: "x", kind: "webhook", url: hookUrl } })],
    ["POST wake", () => call(wakePost, { body: { machines: [1] } })],
  ])("%s without a login is 401", async (_n, fn) => {
    const r = await fn();
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject(errorShape);
  });

  it.each([
    ["POST grow", () => call(growPost, { body: { mib: 300 }, params: { id: "1" }, cookie: viewer })],
    ["GET alerts", () => call(targetsGet, { cookie: viewer })],
    ["POST alerts", () => call(targetsPost, { body: { name: "x", kind: "webhook", url: hookUrl }, cookie: viewer })],
    ["POST wake", () => call(wakePost, { body: { machines: [1] }, cookie: viewer })],
  ])("%s as a viewer is 403 and changes nothing", async (_n, fn) => {
    expect((await fn()).status).toBe(403);
    expect(ctx.rt.alertTargets.list()).toHaveLength(0);
    expect(packets).toHaveLength(0);
  });

  it("bad input is a 400 with the key named, and nothing happens", async () => {
    for (const body of [{ mib: 0 }, { mib: "300" }, { mib: 300, extra: 1 }]) {
      const r = await call(growPost, { body, params: { id: "1" }, cookie });
      expect(r.status).toBe(400);
    }
    expect((await call(growPost, { body: { mib: 300 }, params: { id: "01" }, cookie })).status).toBe(400);
    const bad = await call(targetsPost, { body: { name: "x", kind: "webhook", url: "ftp://example.org/x" }, cookie });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/url: must be an http\(s\) URL/);
    expect((await call(targetsPost, { body: { name: "x", kind: "pager", url: hookUrl }, cookie })).status).toBe(400);
    expect((await call(targetsPost, { body: { name: "x", kind: "webhook", url: "http://u:p@127.0.0.1/" }, cookie })).status).toBe(400);
    expect((await call(usageGet, { params: { id: "1" }, url: "/api/machines/1/usage?range=2y", cookie })).status).toBe(400);
    expect((await call(eventsGet, { url: "/api/events?kind=nope", cookie })).status).toBe(400);
    expect((await call(wakePost, { body: { machines: [1, 999] }, cookie })).status).toBe(404);
    expect((await call(wakePost, { body: { machines: [1], intervalSeconds: -1 }, cookie })).status).toBe(400);
    expect(ctx.rt.alertTargets.list()).toHaveLength(0);
    expect((await ctx.sim.status()).machines[0]!.totalSectors).toBe(409600);
    await new Promise((r) => setTimeout(r, 50));
    expect(packets).toHaveLength(0);
  });

  it("grow: online, recorded, refused past the maximum with the reason (409), nothing changed", async () => {
    const ok = await call(growPost, { body: { mib: 300 }, params: { id: "2" }, cookie });
    expect(ok.status).toBe(200);
    expect(ok.json.grown).toMatchObject({ ok: true, fromMiB: 200, toMiB: 300, totalSectors: 614400 });
    const big = await call(growPost, { body: { mib: 900 }, params: { id: "2" }, cookie });
    expect(big.status).toBe(409);
    expect(big.json.error).toMatchObject({ code: "bad-size", message: expect.stringMatching(/maxCowSizeMiB \(800 MiB\)/) });
    expect((await ctx.sim.status()).machines[1]!.totalSectors).toBe(614400);
    const ev = await call(eventsGet, { url: "/api/events?kind=grow", cookie });
    expect(ev.json.events[0].message).toBe("admin grew retro-02's COW from 200 to 300 MiB (it was 0 % full)");
  });

  it("usage over time and the room's total come from the room watch's samples", async () => {
    ctx.sim.write(1, 20480);
    await ctx.rt.watch.tick();
    const r = await call(usageGet, { params: { id: "1" }, url: "/api/machines/1/usage?range=1h", cookie });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ machine: { id: 1, name: "retro-01" }, range: "1h" });
    const [at, used, total, state] = r.json.points.at(-1);
    expect([at, total, state]).toEqual([expect.any(Number), 409600, "ok"]);
    expect(used).toBeGreaterThan(20480);
    const room = await call(roomGet, { url: "/api/usage?range=24h", cookie });
    expect(room.json.points).toHaveLength(1);
    // The demo room: 10 Retro PCs with 200 MiB COWs, 4 Newer PCs with 400 MiB ones.
    expect(room.json.points[0][2]).toBe(10 * 409600 + 4 * 819200);
  });

  it("/metrics has fill rates, time to full and the stores' free space", async () => {
    await ctx.rt.watch.tick();
    const r = await call(metricsGet, { url: "/metrics", headers: { "x-cowherd-peer": "127.0.0.1" } });
    expect(r.text).toMatch(/^cowherd_store_free_bytes\{host="local",dir="\/store"\} \d+$/m);
    expect(r.text).toContain("# TYPE cowherd_cow_fill_rate_mib_per_minute gauge");
    expect(r.text).toContain("# TYPE cowherd_cow_full_in_seconds gauge");
  });

  it("events list what the room watch saw; filters; open conditions counted", async () => {
    ctx.sim.setMachine(3, { health: "invalid" });
    ctx.sim.setMachine(4, { fraction: 0.8 });
    await ctx.rt.watch.tick();
    const all = await call(eventsGet, { cookie });
    expect(all.json.events.map((e: { kind: string }) => e.kind).sort()).toEqual(["snapshot-invalid", "usage-warn"]);
    expect(all.json.open).toEqual({ danger: 1, warn: 1 });
    const one = await call(eventsGet, { url: "/api/events?machine=3&open=1", cookie });
    expect(one.json.events).toHaveLength(1);
    expect(one.json.events[0].message).toMatch(/^retro-03 died at \d\d:\d\d: its snapshot is Invalid/);
  });

  it("alert targets: create (secret never shown), test against a local receiver, change, delete", async () => {
    const c = await call(targetsPost, {
      body: { name: "ops hook", kind: "webhook", url: `${hookUrl}/hook`, secret: "tok-123", minSeverity: "danger" },
      cookie,
    });
    expect(c.status).toBe(201);
    expect(c.json.target).toMatchObject({ name: "ops hook", hasSecret: true, minSeverity: "danger", enabled: true });
    expect(JSON.stringify(c.json)).not.toContain("tok-123");
    const id = String(c.json.target.id);
    const t = await call(targetTest, { method: "POST", params: { id }, cookie });
    expect(t.json.result).toEqual({ ok: true, status: 204, error: null });
    expect(t.json.target.lastSentAt).toEqual(expect.any(Number));
    expect(JSON.parse(got[0]!.body)).toMatchObject({ kind: "test", title: "RetroLAN (demo): test notification" });
    const p = await call(targetPatch, { method: "PATCH", body: { enabled: false, secret: null }, params: { id }, cookie });
    expect(p.json.target).toMatchObject({ enabled: false, hasSecret: false });
    expect((await call(targetPatch, { method: "PATCH", body: {}, params: { id }, cookie })).status).toBe(400);
    expect((await call(targetDelete, { method: "DELETE", params: { id }, cookie })).status).toBe(200);
    expect((await call(targetDelete, { method: "DELETE", params: { id }, cookie })).status).toBe(404);
    expect((await call(targetTest, { method: "POST", params: { id }, cookie })).status).toBe(404);
  });

  it("wake: 202 with a job, magic packets to the configured address, followed to the end", async () => {
    const r = await call(wakePost, { body: { machines: [5, 10], batchSize: 1, intervalSeconds: 0.05 }, cookie });
    expect(r.status).toBe(202);
    expect(r.json.job).toMatchObject({ broadcast: "127.0.0.1", port: udpPort, batchSize: 1, intervalMs: 50 });
    let job = r.json.job;
    for (let i = 0; i < 50 && job.finishedAt === null; i++) {
      await new Promise((res) => setTimeout(res, 20));
      job = (await call(wakeGet, { params: { id: job.id }, cookie })).json.job;
    }
    expect(job.machines.map((m: { state: string }) => m.state)).toEqual(["sent", "sent"]);
    await new Promise((res) => setTimeout(res, 50));
    expect(packets.map((p) => p.subarray(6, 12).toString("hex"))).toEqual(["525400000005", "52540000000a"]);
    expect((await call(wakeGet, { params: { id: "nope" }, cookie })).status).toBe(400);
  });
});
