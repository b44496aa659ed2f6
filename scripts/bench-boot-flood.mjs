#!/usr/bin/env node
// @ts-check
// `node scripts/bench-boot-flood.mjs`: one PC floods /boot/failed (8 keep-alive connections, or
// BENCH_FLOOD_CONNECTIONS, as fast as the server answers) for BENCH_FLOOD_SECONDS (10); meanwhile and
// afterwards GET /api/machines (logged in) and /cgi/status (from another PC) are timed one after
// another and compared with their quiet latency, measured first. Goal (issue 16): within 2× at p50
// and p90, during and after, with a handful of boot and audit rows written. Runs the production
// build (node scripts/build.mjs) on loopback with the demo room, frozen; prints one table and exits 1
// when the goal is not met.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";

const FLOOD_S = Number(process.env.BENCH_FLOOD_SECONDS ?? 10);
const PHASE_S = Number(process.env.BENCH_PHASE_SECONDS ?? 5);
// 64 is the most one address may hold open (FrontLimits.maxConnectionsPerAddress).
const CONNECTIONS = Number(process.env.BENCH_FLOOD_CONNECTIONS ?? 8);
const FLOODER = "127.0.0.42"; // retro-02
const PROBE_PC = "127.0.0.43"; // retro-03 asks for its numbers
const PASSWORD = "bench-admin-password";

if (![".next/BUILD_ID", "dist/server.mjs", "dist/core.mjs"].every((f) => existsSync(f))) {
  console.error("bench-boot-flood: build first (node scripts/build.mjs)");
  process.exit(2);
}

/** @typedef {{ n: number, p50: number, p90: number }} Latency in ms */
/** @typedef {{ machines: Latency, status: Latency }} Probe */

/**
 * @param {{ port: number, method?: string, urlPath: string, from?: string, headers?: http.OutgoingHttpHeaders, agent?: http.Agent | false, body?: string }} how
 * @returns {Promise<{ status: number | undefined, headers: http.IncomingHttpHeaders, body: string, ms: number }>}
 */
function request({ port, method = "GET", urlPath, from, headers = {}, agent = false, body }) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: "127.0.0.1", port, method, path: urlPath, localAddress: from, headers, agent }, (res) => {
      /** @type {Buffer[]} */
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString(), ms: Number(process.hrtime.bigint() - t0) / 1e6 }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function startServer() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "cowherd-flood-"));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, ["dist/server.mjs"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      COWHERD_DATA_DIR: dataDir,
      COWHERD_ADMIN_PASSWORD: PASSWORD,
      COWHERD_SIM_ACTIVITY: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!/ on http:\/\//.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    dataDir,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Times the two reads one after another until `ms` pass.
 * @param {number} port @param {string} cookie @param {number} ms @returns {Promise<Probe>}
 */
async function probe(port, cookie, ms) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const pcAgent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: PROBE_PC });
  /** @type {{ machines: number[], status: number[] }} */
  const lat = { machines: [], status: [] };
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const m = await request({ port, urlPath: "/api/machines", headers: { cookie }, agent });
    if (m.status !== 200) throw new Error(`/api/machines answered ${m.status}`);
    lat.machines.push(m.ms);
    const s = await request({ port, urlPath: "/cgi/status", agent: pcAgent });
    if (s.status !== 200) throw new Error(`/cgi/status answered ${s.status}`);
    lat.status.push(s.ms);
    await new Promise((r) => setTimeout(r, 20));
  }
  agent.destroy();
  pcAgent.destroy();
  /** @param {number[]} xs @param {number} p */
  const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? Number.NaN;
  /** @param {number[]} xs @returns {Latency} */
  const summary = (xs) => ({ n: xs.length, p50: q(xs, 0.5), p90: q(xs, 0.9) });
  return { machines: summary(lat.machines), status: summary(lat.status) };
}

/** @param {number} port @param {number} ms @returns {Promise<number>} requests sent */
async function flood(port, ms) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS, localAddress: FLOODER });
  const end = Date.now() + ms;
  let n = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) {
        await request({ port, urlPath: "/boot/failed?step=sanboot&errno=0x0e0a6003", headers: { "user-agent": "iPXE/1.21.1" }, agent });
        n++;
      }
    }),
  );
  agent.destroy();
  return n;
}

const app = await startServer();
try {
  const login = await request({
    port: app.port,
    method: "POST",
    urlPath: "/api/auth/login",
    headers: { origin: `http://127.0.0.1:${app.port}`, "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`login answered ${login.status}: ${login.body}`);
  const setCookie = login.headers["set-cookie"];
  if (!setCookie) throw new Error("login answered no session cookie");
  const cookie = setCookie.map((c) => c.split(";")[0]).join("; ");
  await probe(app.port, cookie, 1000); // warm-up: Next compiles nothing in production, but caches fill
  const quiet = await probe(app.port, cookie, PHASE_S * 1000);
  const [requests, during] = await Promise.all([flood(app.port, FLOOD_S * 1000), probe(app.port, cookie, FLOOD_S * 1000)]);
  const after = await probe(app.port, cookie, PHASE_S * 1000);
  const db = new Database(path.join(app.dataDir, "cowherd.sqlite"), { readonly: true });
  const boots = db.prepare("SELECT COUNT(*) FROM boots").pluck().get();
  const audit = db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'boot.failed'").pluck().get();
  db.close();

  const rows = [];
  let met = true;
  for (const route of /** @type {const} */ (["machines", "status"])) {
    for (const [phase, r] of /** @type {const} */ ([
      ["during", during],
      ["after", after],
    ])) {
      for (const p of /** @type {const} */ (["p50", "p90"])) {
        const ratio = r[route][p] / quiet[route][p];
        if (ratio > 2) met = false;
        rows.push(
          `${route === "machines" ? "/api/machines" : "/cgi/status  "}  ${phase.padEnd(6)} ${p}  quiet ${quiet[route][p].toFixed(2).padStart(7)} ms  now ${r[route][p].toFixed(2).padStart(7)} ms  ×${ratio.toFixed(2)}  (n=${r[route].n})`,
        );
      }
    }
  }
  console.log(
    `flood: ${requests} GET /boot/failed from ${FLOODER} in ${FLOOD_S} s (${Math.round(requests / FLOOD_S)}/s, ${CONNECTIONS} keep-alive connections)`,
  );
  console.log(rows.join("\n"));
  console.log(`rows written: boots ${boots}, audit boot.failed ${audit} (the minute's repeats are one more row when it is over)`);
  console.log(`goal (within 2× quiet, during and after): ${met ? "met" : "NOT met"}`);
  process.exitCode = met ? 0 : 1;
} finally {
  await app.stop();
}
