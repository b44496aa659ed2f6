import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHttpServer } from "@/lib/server/http-server";
import { get, listen } from "../helpers/http";
import { testRuntime } from "../helpers/runtime";

let ctx: Awaited<ReturnType<typeof testRuntime>>;
let server: Server;
let port: number;
let nextCalls: string[];

async function start(env: Record<string, string> = {}) {
  ctx = await testRuntime(env);
  nextCalls = [];
  server = createHttpServer(ctx.rt, async (req, res) => {
    nextCalls.push(`${req.url} peer=${req.headers["x-cowherd-peer"]}`);
    res.end("next");
  });
  port = await listen(server);
}

afterEach(async () => {
  await new Promise((r) => server.close(r));
  ctx.cleanup();
});

/** Writes a config to a temp file and returns its path. */
function configFile(config: object): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "cfg-")), "config.json");
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** What the 2010 CGI answers for a caller, given the `dmsetup status` line its stub prints. */
function seedAnswer(remoteAddr: string, dmLine: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "seed-"));
  const stub = path.join(dir, "dmsetup");
  writeFileSync(stub, `#!/bin/sh\nprintf '%s\\n' '${dmLine}'\n`);
  chmodSync(stub, 0o755);
  const r = spawnSync("python3", [path.resolve("tests/fixtures/seed-cowstatus.py")], {
    env: { REMOTE_ADDR: remoteAddr, DMSETUP: stub } as unknown as NodeJS.ProcessEnv,
    encoding: "latin1",
  });
  return r.stdout.split("\r\n\r\n")[1]!;
}

describe("legacy CowBell route", () => {
  beforeEach(() => start());

  it("answers a PC with its own usage, byte for byte as the 2010 CGI", async () => {
    ctx.sim.write(5, 55_168);
    const r = await get(port, "/cgi/status", { from: "127.0.0.45" });
    const s = (await ctx.sim.status()).machines.find((m) => m.id === 5)!;
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("text/plain");
    expect(r.body).toBe(`OK ${s.usedSectors} ${s.totalSectors}\n`);
    expect(r.body).toBe(seedAnswer("127.0.0.45", `0 8388608 snapshot ${s.usedSectors}/${s.totalSectors} ${s.metadataSectors}`));
  });

  it("answers a non-PC caller like the CGI did", async () => {
    const r = await get(port, "/cgi/status", { from: "127.0.0.1" });
    expect(r.body).toBe("ERR Not a RetroLAN Machine\n");
    expect(r.body).toBe(seedAnswer("127.0.0.1", "unused"));
    expect(nextCalls).toEqual([]);
  });

  it.each([
    ["invalid", "Invalid"],
    ["overflow", "Overflow"],
  ] as const)("%s snapshot gives the CGI's parse error", async (health, word) => {
    ctx.sim.setMachine(7, { health });
    const r = await get(port, "/cgi/status", { from: "127.0.0.47" });
    expect(r.body).toBe("ERR Problem getting parsing information\n");
    expect(r.body).toBe(seedAnswer("127.0.0.47", `0 8388608 snapshot ${word}`));
  });

  it("a missing device gives the parse error too", async () => {
    ctx.sim.setMachine(8, { device: false });
    expect((await get(port, "/cgi/status", { from: "127.0.0.48" })).body).toBe("ERR Problem getting parsing information\n");
  });

  it("ignores a spoofed X-Forwarded-For without a trusted proxy", async () => {
    const r = await get(port, "/cgi/status", { from: "127.0.0.1", headers: { "x-forwarded-for": "127.0.0.45" } });
    expect(r.body).toBe("ERR Not a RetroLAN Machine\n");
    const r2 = await get(port, "/cgi/status", { from: "127.0.0.46", headers: { "x-forwarded-for": "127.0.0.45" } });
    expect(r2.body).toMatch(/^OK \d+ 409600\n$/);
    const own = (await ctx.sim.status()).machines.find((m) => m.id === 6)!;
    expect(r2.body).toBe(`OK ${own.usedSectors} 409600\n`);
  });

  it("IPv4-mapped IPv6 peers (dual-stack socket) map to their PC", async () => {
    // The server listens on "::", so the socket reports ::ffff:127.0.0.44.
    const r = await get(port, "/cgi/status", { from: "127.0.0.44" });
    expect(r.body).toMatch(/^OK \d+ \d+\n$/);
  });

  it("passes other paths to Next with the socket's peer in a header the client cannot forge", async () => {
    await get(port, "/api/machines", { from: "127.0.0.42", headers: { "x-cowherd-peer": "127.0.0.1" } });
    expect(nextCalls).toEqual(["/api/machines peer=::ffff:127.0.0.42"]);
  });

  it("the boot route is off by default and harmless", async () => {
    const r = await get(port, "/cgi/reset", { from: "127.0.0.45" });
    expect(r.status).toBe(404);
    expect(r.body).toMatch(/^#!gpxe\necho Cowherd: self-reset is disabled/);
    expect(r.body).not.toMatch(/chain|sanboot|reboot/);
  });
});

describe("legacy route with extra paths and a trusted proxy", () => {
  it("serves the configured CowBell path and honours X-Forwarded-For from the proxy only", async () => {
    await start({
      COWHERD_CONFIG: configFile({
        machines: [{ id: 1, name: "pc1", ip: "127.0.0.41", dmName: "retrocow1" }],
        legacy: { paths: ["/cgi/status", "/cgi-bin/cowstatus.py"], trustedProxies: ["127.0.0.1"] },
      }),
    });
    expect((await get(port, "/cgi-bin/cowstatus.py", { from: "127.0.0.41" })).body).toBe("OK 128 409600\n");
    expect((await get(port, "/cgi/status", { from: "127.0.0.1", headers: { "x-forwarded-for": "127.0.0.41" } })).body).toBe("OK 128 409600\n");
    expect((await get(port, "/cgi/status", { from: "127.0.0.2", headers: { "x-forwarded-for": "127.0.0.41" } })).body).toBe("ERR Not a RetroLAN Machine\n");
  });
});

describe("boot self-reset route", () => {
  it("resets the caller's own PC, answers a gPXE script chaining the reboot image, records source legacy, and rate-limits", async () => {
    await start({
      COWHERD_CONFIG: configFile({
        machines: [
          { id: 1, name: "pc1", ip: "127.0.0.41", dmName: "retrocow1" },
          { id: 2, name: "pc2", ip: "127.0.0.42", dmName: "retrocow2" },
        ],
        boot: { enabled: true, rebootImageUrl: "http://127.0.0.1/reboot.com", minIntervalSeconds: 60 },
      }),
    });
    ctx.sim.write(1, 8000);
    ctx.sim.write(2, 8000);
    const r = await get(port, "/cgi/reset", { from: "127.0.0.41" });
    expect(r.status).toBe(200);
    expect(r.body).toBe("#!gpxe\necho Cowherd: pc1 has a clean disk again, rebooting\nchain http://127.0.0.1/reboot.com\n");
    const st = (await ctx.sim.status()).machines;
    expect(st.find((m) => m.id === 1)!.usedSectors).toBe(128);
    expect(st.find((m) => m.id === 2)!.usedSectors).toBeGreaterThan(8000);
    expect(ctx.rt.history.list({ page: 1, pageSize: 5 }).rows[0]).toMatchObject({
      machineId: 1,
      source: "legacy",
      result: "ok",
      requestedBy: "::ffff:127.0.0.41".replace("::ffff:", ""),
    });
    const again = await get(port, "/cgi/reset", { from: "127.0.0.41" });
    expect(again.status).toBe(429);
    expect(again.body).not.toMatch(/chain/);
    const stranger = await get(port, "/cgi/reset", { from: "127.0.0.9" });
    expect(stranger.status).toBe(403);
    expect(stranger.body).toBe("#!gpxe\necho Cowherd: Not a RetroLAN Machine\n");
    expect(ctx.rt.history.list({ page: 1, pageSize: 5 }).total).toBe(1);
  });
});
