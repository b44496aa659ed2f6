import { mkdtempSync, writeFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { POST as loginPost } from "@/app/api/auth/login/route";
import { POST as resetPost } from "@/app/api/machines/[id]/reset/route";
import { isAllowedOrigin } from "@/lib/api/origin";
import { parseConfig } from "@/lib/config/load";
import { apiServer } from "../helpers/api-server";
import { request } from "../helpers/http";
import { adminCookie, call } from "../helpers/routes";
import { ADMIN_PASSWORD, testRuntime } from "../helpers/runtime";

const base = { machines: [{ id: 1, name: "pc1", ip: "127.0.0.41", dmName: "retrocow1" }] };
const loginBody = { username: "admin", password: ADMIN_PASSWORD };
const ownNonLoopback = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === "IPv4")?.address;

let cleanup: (() => unknown) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe("DNS rebinding: the Host header is never trusted for the same-origin check", () => {
  it("a login with Host: rebind.attacker.example and the matching Origin is refused (route handler)", async () => {
    const ctx = await testRuntime();
    cleanup = ctx.cleanup;
    const r = await call(loginPost, { body: loginBody, headers: { host: "rebind.attacker.example", origin: "http://rebind.attacker.example" } });
    expect(r.status).toBe(403);
    expect(r.headers.get("set-cookie")).toBeNull();
    const form = await call(loginPost, {
      rawBody: `username=admin&password=${ADMIN_PASSWORD}`,
      contentType: "application/x-www-form-urlencoded",
      headers: { host: "rebind.attacker.example:3000", origin: "", referer: "http://rebind.attacker.example:3000/login" },
    });
    expect(form.status).toBe(403);
    ctx.rt.audit.flush(true);
    expect(ctx.rt.audit.list({ action: "csrf.refused", page: 1, pageSize: 5 }).rows[0]).toMatchObject({ target: "/api/x", outcome: "denied" });
    expect(ctx.rt.db.prepare("SELECT COUNT(*) FROM sessions").pluck().get()).toBe(0);
  });

  it("the same through the real HTTP front on loopback; a cookie-holding page of the attacker cannot reset either", async () => {
    const srv = await apiServer();
    cleanup = srv.close;
    const evil = { host: "rebind.attacker.example", origin: "http://rebind.attacker.example" };
    expect((await request(srv.port, "POST", "/api/auth/login", { body: loginBody, headers: evil })).status).toBe(403);
    const ok = await request(srv.port, "POST", "/api/auth/login", { body: loginBody, headers: { host: "rebind.attacker.example" } }); // Origin http://127.0.0.1:port
    expect(ok.status).toBe(200);
    const cookie = `cowherd_session=${ok.cookies.cowherd_session}`;
    expect((await request(srv.port, "POST", "/api/machines/1/reset", { cookie, headers: evil })).status).toBe(403);
  });

  it("allows loopback hosts and this machine's own IP literals on any port, and configured origins exactly", async () => {
    const config = parseConfig({ ...base, allowedOrigins: ["https://cowherd.example.org"], publicUrl: "http://dash.lan:8080/" });
    const allowed = [
      "http://localhost:3000",
      "http://localhost",
      "http://127.0.0.1:9999",
      "http://127.3.2.1",
      "http://[::1]:3000",
      "https://cowherd.example.org",
      "http://dash.lan:8080",
    ];
    const refused = [
      "http://rebind.attacker.example",
      "http://localhost.attacker.example",
      "http://cowherd.example.org",
      "https://cowherd.example.org:8443",
      "http://dash.lan",
      "http://10.255.255.254:3000",
      "http://[::1.2.3.4]",
      "null",
      "file:///etc/passwd",
      "ftp://127.0.0.1",
    ];
    if (ownNonLoopback) allowed.push(`http://${ownNonLoopback}:3000`, `https://${ownNonLoopback}`);
    for (const o of allowed) expect(isAllowedOrigin(o, config), o).toBe(true);
    for (const o of refused) expect(isAllowedOrigin(o, config), o).toBe(false);
  });

  it("a configured name can log in; an unconfigured one cannot, whatever Host says", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cfg-"));
    writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...base, allowedOrigins: ["http://cowherd.lan:3000"] }));
    const ctx = await testRuntime({ COWHERD_CONFIG: path.join(dir, "config.json") });
    cleanup = ctx.cleanup;
    const named = { host: "cowherd.lan:3000", origin: "http://cowherd.lan:3000" };
    expect((await call(loginPost, { body: loginBody, headers: named })).status).toBe(200);
    expect((await call(loginPost, { body: loginBody, headers: { host: "other.lan:3000", origin: "http://other.lan:3000" } })).status).toBe(403);
    const cookie = await adminCookie();
    expect((await call(resetPost, { method: "POST", params: { id: "1" }, cookie, headers: named })).status).toBe(202);
  });
});
