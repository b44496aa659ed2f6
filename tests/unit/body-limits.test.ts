import { spawn } from "node:child_process";
import { connect } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as loginPost } from "@/app/api/auth/login/route";
import { POST as usersPost } from "@/app/api/users/route";
import { PATCH as userPatch } from "@/app/api/users/[id]/route";
import { POST as tokensPost } from "@/app/api/tokens/route";
import { apiServer } from "../helpers/api-server";
import { adminCookie, call } from "../helpers/routes";

let srv: Awaited<ReturnType<typeof apiServer>>;
beforeEach(async () => {
  srv = await apiServer();
});
afterEach(() => srv.close());

/** A client in its own process (so the RSS we measure is the server's) that POSTs `total` bytes chunked, respecting backpressure. */
const CLIENT = `
const http = require("node:http");
const [port, path, total, type] = process.argv.slice(1);
const chunk = Buffer.alloc(64 * 1024, 120);
let sent = 0, done = false;
const finish = (what) => { if (done) return; done = true; console.log(JSON.stringify({ what, sent })); process.exit(0); };
const req = http.request({ host: "127.0.0.1", port: Number(port), path, method: "POST",
  headers: { "content-type": type, origin: "http://127.0.0.1:" + port, "transfer-encoding": "chunked" } });
req.on("response", (res) => finish("status " + res.statusCode));
req.on("error", (e) => finish("error " + e.code));
setTimeout(() => finish("timeout"), 60000).unref();
(async () => {
  while (!done && sent < Number(total)) {
    sent += chunk.length;
    if (!req.write(chunk)) await new Promise((r) => { const go = () => { req.off("drain", go); req.off("close", go); r(); }; req.on("drain", go); req.on("close", go); });
  }
  if (!done) req.end();
})();
`;

async function chunkedPost(path: string, total: number, type: string) {
  const child = spawn(process.execPath, ["-e", CLIENT, String(srv.port), path, String(total), type], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once("exit", r));
  return JSON.parse(out) as { what: string; sent: number };
}

async function peakRssDuring<T>(fn: () => Promise<T>): Promise<{ result: T; growthMiB: number; beforeMiB: number; peakMiB: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growthMiB: (peak - before) / 2 ** 20, beforeMiB: before / 2 ** 20, peakMiB: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

const MB300 = 300 * 1024 * 1024;

describe("request bodies are capped while they stream", () => {
  it.each([
    ["JSON login", "application/json"],
    ["login form", "application/x-www-form-urlencoded"],
  ])("an unauthenticated 300 MB chunked %s POST is cut off at the cap; server RSS stays small", async (_n, type) => {
    const { result, growthMiB, beforeMiB, peakMiB } = await peakRssDuring(() => chunkedPost("/api/auth/login", MB300, type));
    console.log(
      `300 MB chunked ${type} login: client ${result.what} after ${(result.sent / 2 ** 20).toFixed(1)} MiB; server RSS ${beforeMiB.toFixed(0)} → peak ${peakMiB.toFixed(0)} MiB (+${growthMiB.toFixed(1)})`,
    );
    expect(growthMiB).toBeLessThan(50);
    // The server stopped reading: the client could not push the 300 MB through.
    expect(result.sent).toBeLessThan(64 * 1024 * 1024);
    expect(result.what).not.toBe("timeout");
    expect(srv.rt.users.count()).toBe(1);
  });

  it("refuses a declared Content-Length over the cap before reading any of it", async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect(srv.port, "127.0.0.1", () =>
        s.write("POST /api/auth/login HTTP/1.1\r\nHost: localhost:3000\r\nContent-Type: application/json\r\nContent-Length: 314572800\r\n\r\n{"),
      );
      let got = "";
      s.on("data", (d) => (got += d.toString()));
      s.on("close", () => resolve(got));
      s.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain('"code":"payload_too_large"');
  });

  it("every route that reads a body caps it (chunked, no Content-Length)", async () => {
    const admin = await adminCookie();
    const big = JSON.stringify({ pad: "x".repeat(70_000) });
    const form = `username=admin&password=${"x".repeat(70_000)}`;
    const answers = await Promise.all([
      call(loginPost, { rawBody: big }),
      call(loginPost, { rawBody: form, contentType: "application/x-www-form-urlencoded" }),
      call(usersPost, { rawBody: big, cookie: admin }),
      call(userPatch, { method: "PATCH", params: { id: "1" }, rawBody: big, cookie: admin }),
      call(tokensPost, { rawBody: big, cookie: admin }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([413, 413, 413, 413, 413]);
    expect(answers[0]!.json.error.code).toBe("payload_too_large");
  });

  it("the login form is parsed from the capped bytes", async () => {
    const ok = await call(loginPost, { rawBody: "username=admin&password=test-admin-password&extra=%zz", contentType: "application/x-www-form-urlencoded" });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/");
  });
});
