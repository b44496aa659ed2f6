import { connect, type Socket } from "node:net";
import type { Server } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpServer, type FrontLimits } from "@/lib/server/http-server";
import { listen } from "../helpers/http";
import { spyOnResets, testRuntime } from "../helpers/runtime";

let ctx: Awaited<ReturnType<typeof testRuntime>>;
let server: Server;
let port: number;
let nextCalls: string[];

async function start(env: Record<string, string> = {}, limits: Partial<FrontLimits> = {}) {
  ctx = await testRuntime(env);
  nextCalls = [];
  server = createHttpServer(
    ctx.rt,
    async (req, res) => {
      nextCalls.push(`${req.method} ${req.url}`);
      for await (const _ of req); // like a route that reads its body
      res.end("next");
    },
    false,
    limits,
  );
  port = await listen(server);
}

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  ctx.cleanup();
});

/** Sends raw bytes from a chosen loopback address and collects the answer until the server closes or `ms` pass. */
function raw(text: string, opts: { from?: string; ms?: number } = {}): Promise<{ answer: string; closed: boolean; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1", localAddress: opts.from }, () => s.write(text));
    let answer = "";
    const timer = setTimeout(() => resolve({ answer, closed: false, socket: s }), opts.ms ?? 2000);
    s.on("data", (d) => (answer += d.toString("latin1")));
    s.on("close", () => {
      clearTimeout(timer);
      resolve({ answer, closed: true, socket: s });
    });
    s.on("error", (e: NodeJS.ErrnoException) => (e.code === "ECONNRESET" ? undefined : reject(e)));
  });
}

function bootConfig(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "cfg-")), "config.json");
  writeFileSync(
    file,
    JSON.stringify({
      machines: [{ id: 1, name: "pc1", ip: "127.0.0.41", dmName: "retrocow1" }],
      boot: { enabled: true, rebootImageUrl: "http://127.0.0.1/reboot.com" },
    }),
  );
  return file;
}

describe("HTTP front", () => {
  it.each([
    ["GET /api/machines/%zz/reset HTTP/1.1", /"code":"bad_request"/],
    ["GET /api/%E0%A4%A HTTP/1.1", /"code":"bad_request"/],
    ["GET * HTTP/1.1", /^Malformed request path/m],
    ["OPTIONS * HTTP/1.1", /^Malformed request path/m],
    ["GET /history% HTTP/1.1", /^Malformed request path/m],
  ])("%s is a clean 400 that never reaches Next", async (line, body) => {
    await start();
    const { answer } = await raw(`${line}\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(body);
    expect(nextCalls).toEqual([]);
  });

  it("HEAD on the boot self-reset route answers without resetting; other methods are 405", async () => {
    await start({ COWHERD_CONFIG: bootConfig() });
    const resets = spyOnResets(ctx.sim);
    const head = await raw("HEAD /cgi/reset HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", { from: "127.0.0.41" });
    expect(head.answer).toMatch(/^HTTP\/1\.1 200 /);
    const post = await raw("POST /cgi/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", { from: "127.0.0.41" });
    expect(post.answer).toMatch(/^HTTP\/1\.1 405 /);
    expect(post.answer).toMatch(/allow: GET, HEAD/i);
    expect(resets).not.toHaveBeenCalled();
    expect(ctx.rt.history.list({ page: 1, pageSize: 5 }).total).toBe(0);
    // GET still resets the caller's PC.
    const get = await raw("GET /cgi/reset HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", { from: "127.0.0.41" });
    expect(get.answer).toMatch(/^HTTP\/1\.1 200 [\s\S]*chain http:\/\/127\.0\.0\.1\/reboot\.com/);
    expect(resets).toHaveBeenCalledTimes(1);
  });

  it("drops a client that sends its body too slowly", async () => {
    await start({}, { requestTimeoutMs: 400, headersTimeoutMs: 300, timeoutCheckMs: 50 });
    const t0 = Date.now();
    const s = connect(port, "127.0.0.1");
    await new Promise((r) => s.once("connect", r));
    s.write("POST /api/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
    const drip = setInterval(() => s.writable && s.write(" "), 100);
    let answer = "";
    s.on("data", (d) => (answer += d.toString()));
    s.on("error", () => undefined);
    await new Promise((r) => s.once("close", r));
    clearInterval(drip);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(answer).toMatch(/^(|HTTP\/1\.1 408 [\s\S]*)$/);
  });

  it("caps open connections per address; other addresses still get in", async () => {
    await start({}, { maxConnectionsPerAddress: 3 });
    const hold = (from: string) => raw("GET /api/machines HTTP/1.1\r\nHost: localhost\r\n\r\n", { from, ms: 300 });
    const held = await Promise.all([1, 2, 3, 4, 5].map(() => hold("127.0.0.60")));
    expect(held.filter((h) => h.closed && h.answer === "").length).toBe(2);
    expect(held.filter((h) => /^HTTP\/1\.1 200 /.test(h.answer)).length).toBe(3);
    const other = await hold("127.0.0.61");
    expect(other.answer).toMatch(/^HTTP\/1\.1 200 /);
    held.forEach((h) => h.socket.destroy());
    // Closed connections free their slots.
    await new Promise((r) => setTimeout(r, 50));
    expect((await hold("127.0.0.60")).answer).toMatch(/^HTTP\/1\.1 200 /);
  });
});
