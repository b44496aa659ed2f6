#!/usr/bin/env node
// @ts-check
// `npm run bench`: speed goals as ratios against baselines measured in the same run.
//   1. legacy route: throughput and p99 at 50 concurrent clients vs a process-per-request CGI (seed)
//   2. host status reads per second with 1, 10 and 200 polling clients (should stay flat)
//   3. 250 PCs against 14 (scripts/bench-room.ts): status read, grid view, GET /api/machines, a bulk
//      reset of all with bounded concurrency, usage sampling over a simulated day
//   4. (guest) on the app's own path: 14 PCs vs one (P2) with processes per reset, a 16 MiB vs a
//      1 GiB COW, status read cost (agent message vs a process start), vs the seed's dd
//   5. (guest, its own boot) the data path: reads of the master and first writes into fresh COWs
//      through tgt and straight from the dm devices and the master's loop device, 1, 4 and 14
//      initiators at once; the COW chunk size's effect on first writes (tests/system/bench-datapath.mjs)
// Everything talks to loopback or to the QEMU guest (no network). --no-guest skips parts 4 and 5;
// --only http,room,guest,datapath runs the parts named (scripts/bench-args.mjs).
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { benchParts } from "./bench-args.mjs";
import { otherCores, sampleCpu } from "./host-cpu.mjs";
import { datapathReport } from "../tests/system/datapath-math.mjs";

/** @type {Set<import("./bench-args.mjs").BenchPart>} */
let parts;
try {
  parts = benchParts(process.argv.slice(2));
} catch (e) {
  console.error(`bench: ${e instanceof Error ? e.message : e}`);
  process.exit(2);
}
const seconds = Number(process.env.BENCH_SECONDS ?? 5);

/**
 * `concurrency` clients each sending GET urlPath again as soon as it is answered, for durationMs, from
 * the loopback addresses in `from` in turn.
 * @param {{ port: number, path: string, concurrency: number, durationMs: number, from: string[], headers?: http.OutgoingHttpHeaders }} how
 */
async function load({ port, path: urlPath, concurrency, durationMs, from, headers }) {
  const agents = from.map((addr) => new http.Agent({ keepAlive: true, maxSockets: concurrency, localAddress: addr }));
  /** @type {number[]} latencies in ms */
  const lat = [];
  let errors = 0;
  const end = Date.now() + durationMs;
  /** @param {number} i @returns {Promise<void>} */
  const one = (i) =>
    new Promise((resolve) => {
      const t0 = process.hrtime.bigint();
      const req = http.get({ host: "127.0.0.1", port, path: urlPath, agent: agents[i % agents.length], headers }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode !== 200) errors++;
          lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
          resolve();
        });
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
    });
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      while (Date.now() < end) await one(i);
    }),
  );
  const elapsed = (Date.now() - t0) / 1000;
  agents.forEach((a) => a.destroy());
  lat.sort((a, b) => a - b);
  /** @param {number} p */
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  return { requests: lat.length, rps: lat.length / elapsed, p50: q(0.5), p99: q(0.99), errors };
}

/** The seed's way: one CGI process per request, which itself spawns dmsetup (a stub here). */
async function startSeedCgi() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "seed-cgi-"));
  const stub = path.join(dir, "dmsetup");
  writeFileSync(stub, "#!/bin/sh\necho '0 8388608 snapshot 55296/409600 16'\n");
  chmodSync(stub, 0o755);
  const script = path.resolve("tests/fixtures/seed-cowstatus.py");
  const server = http.createServer((req, res) => {
    const remote = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
    // The CGI's own environment only (Next's types would have NODE_ENV in every one, hence the cast).
    const env = /** @type {NodeJS.ProcessEnv} */ (/** @type {unknown} */ ({ REMOTE_ADDR: remote, DMSETUP: stub }));
    const child = spawn("python3", [script], { env });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("close", () => {
      const body = out.split("\r\n\r\n")[1] ?? "";
      res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", () => r(null)));
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  return { port, close: () => new Promise((r) => server.close(r)) };
}

/** A counter's value from GET /metrics. @param {number} port @param {string} name */
async function metric(port, name) {
  /** @type {string} */
  const text = await new Promise((resolve, reject) =>
    http
      .get({ host: "127.0.0.1", port, path: "/metrics" }, (res) => {
        let s = "";
        res.on("data", (d) => (s += d));
        res.on("end", () => resolve(s));
      })
      .on("error", reject),
  );
  return Number(new RegExp(`^${name} (\\d+)`, "m").exec(text)?.[1]);
}

const pcs = Array.from({ length: 14 }, (_, i) => `127.0.0.${41 + i}`);

/**
 * A JSON request on loopback with the server's own Origin (what the dashboard sends).
 * @param {number} port @param {string} method @param {string} urlPath
 * @param {{ cookie?: string, body?: unknown }} [opts]
 * @returns {Promise<{ status: number | undefined, json: any, cookie: string | undefined }>} json: the answer as sent
 */
function call(port, method, urlPath, { cookie, body } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: urlPath,
        method,
        headers: {
          origin: `http://127.0.0.1:${port}`,
          ...(cookie ? { cookie } : {}),
          ...(data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}),
        },
      },
      (res) => {
        let s = "";
        res.on("data", (d) => (s += d));
        res.on("end", () => resolve({ status: res.statusCode, json: s ? JSON.parse(s) : null, cookie: (res.headers["set-cookie"] ?? [])[0]?.split(";")[0] }));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

/**
 * A room of `pcs` PCs behind the real server: GET /api/machines as the dashboard polls it, then a bulk reset of all of them.
 * @param {typeof import("../tests/helpers/server").startServer} startServer @param {number} pcs
 */
async function apiRoom(startServer, pcs) {
  const server = await startServer({
    COWHERD_ADMIN_PASSWORD: "bench-password",
    COWHERD_SIM_ACTIVITY: "0",
    COWHERD_SIM_PCS: String(pcs),
    COWHERD_SIM_STEP_MS: "30",
  });
  try {
    const { cookie } = await call(server.port, "POST", "/api/auth/login", { body: { username: "admin", password: "bench-password" } });
    /** @type {number[]} */
    const times = [];
    for (let i = 0; i < 230; i++) {
      const t0 = process.hrtime.bigint();
      const r = await call(server.port, "GET", "/api/machines", { cookie });
      if (r.status !== 200 || r.json.machines.length !== pcs) throw new Error(`GET /api/machines: ${r.status}`);
      if (i >= 30) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    const t0 = Date.now();
    const started = await call(server.port, "POST", "/api/resets", { cookie, body: { machines: "all", whenOnline: "force" } });
    let job = started.json.job;
    let mostRunning = 0;
    while (job.finishedAt === null) {
      mostRunning = Math.max(mostRunning, job.machines.filter((/** @type {{ state: string }} */ m) => m.state === "running").length);
      await new Promise((r) => setTimeout(r, 20));
      job = (await call(server.port, "GET", `/api/jobs/${job.id}`, { cookie })).json.job;
    }
    return {
      machinesMs: times[Math.floor(times.length / 2)],
      bulk: { ms: Date.now() - t0, mostRunning, ok: job.summary.ok, requested: job.summary.requested, runs: Math.ceil(pcs / 16) },
    };
  } finally {
    await server.stop();
  }
}
/** @param {number} n */
const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "–");

async function main() {
  console.log(`cowherd bench on ${os.cpus().length}× ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}\n`);
  /** @type {Record<string, any>} what test-results/bench.json gets, part by part */
  const out = {};
  // The data path needs the helper's bundle only (its guest scenario builds that); the rest the whole build.
  if (parts.has("http") || parts.has("room") || parts.has("guest")) {
    const { spawnSync } = await import("node:child_process");
    spawnSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
  }
  if (parts.has("http")) await httpParts(out);
  if (parts.has("room")) await roomPart(out);
  if (parts.has("guest")) await guestPart(out);
  if (parts.has("datapath")) await datapathPart(out);
  mkdirSync("test-results", { recursive: true });
  writeFileSync("test-results/bench.json", JSON.stringify(out, null, 2));
}

/** Parts 1 and 2: the legacy route against the seed's CGI, and host status reads under load. @param {Record<string, any>} out */
async function httpParts(out) {
  const { startServer } = await import("../tests/helpers/server");
  const server = await startServer({ COWHERD_ADMIN_PASSWORD: "bench-password", COWHERD_SIM_ACTIVITY: "0" });
  try {
    await load({ port: server.port, path: "/cgi/status", concurrency: 50, durationMs: 1000, from: pcs }); // warm-up
    const cow = await load({ port: server.port, path: "/cgi/status", concurrency: 50, durationMs: seconds * 1000, from: pcs });
    const seed = await startSeedCgi();
    const base = await load({ port: seed.port, path: "/cgi/status", concurrency: 50, durationMs: seconds * 1000, from: ["127.0.0.45"] });
    await seed.close();
    out.legacy = { cow, base, ratio: cow.rps / base.rps };
    console.log("legacy route, 50 concurrent clients (keep-alive), " + seconds + " s each");
    console.log(`  cowherd     ${fmt(cow.rps)} req/s   p50 ${fmt(cow.p50, 1)} ms   p99 ${fmt(cow.p99, 1)} ms   errors ${cow.errors}`);
    console.log(
      `  seed CGI    ${fmt(base.rps)} req/s   p50 ${fmt(base.p50, 1)} ms   p99 ${fmt(base.p99, 1)} ms   errors ${base.errors}  (process per request)`,
    );
    console.log(`  ratio       ${fmt(out.legacy.ratio, 1)}× throughput (target ≥ 30×), p99 ${fmt(base.p99 / cow.p99, 1)}× lower\n`);

    console.log("host status reads with N clients polling the legacy route as fast as they can");
    out.reads = [];
    for (const n of [1, 10, 200]) {
      const before = await metric(server.port, "cowherd_host_status_reads_total");
      const r = await load({ port: server.port, path: "/cgi/status", concurrency: n, durationMs: 3000, from: pcs });
      const after = await metric(server.port, "cowherd_host_status_reads_total");
      const perSec = (after - before) / 3;
      out.reads.push({ clients: n, readsPerSec: perSec, rps: r.rps });
      console.log(`  ${String(n).padStart(3)} clients: ${fmt(r.rps).padStart(6)} req/s → ${fmt(perSec, 2)} host status reads/s`);
    }
    const flat = out.reads[2].readsPerSec / out.reads[0].readsPerSec;
    console.log(`  reads at 200 clients / at 1 client: ${fmt(flat, 2)} (target: flat ≈ 1)\n`);
  } finally {
    await server.stop();
  }
}

/** Part 3: 250 PCs against 14 on simulated storage. @param {Record<string, any>} out */
async function roomPart(out) {
  const { startServer } = await import("../tests/helpers/server");
  // Bundled as ESM first: the runtime's graph reaches execa, which a CommonJS load of the .ts cannot require.
  const { build } = await import("esbuild");
  await build({
    entryPoints: ["scripts/bench-room.ts"],
    outfile: "dist/bench-room.mjs",
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    packages: "external",
    logLevel: "warning",
  });
  const { roomBench } = await import(path.resolve("dist/bench-room.mjs"));
  out.room = await roomBench(console.log, { api: (/** @type {number} */ pcs) => apiRoom(startServer, pcs) });
}

/** Part 4: the app's own path on the real kernel. @param {Record<string, any>} out */
async function guestPart(out) {
  const { prepareGuest } = await import("./system-test.mjs");
  const { runGuest } = await import("./guest/run-guest.mjs");
  const { guest, files, cacheDir } = await prepareGuest();
  console.log("real kernel (QEMU guest, 2 vCPUs): the app's own path (API → job → agent → kernel), the server already running");
  const res = await runGuest(guest, { scenario: "bench", files, workDir: cacheDir, smp: 2, echo: false });
  const b = res.tagged.find((t) => t.tag === "COWHERD-BENCH")?.data;
  if (!b) {
    console.log(`  guest bench failed (${res.reason}):\n${res.log.split("\n").slice(-20).join("\n")}`);
    process.exitCode = 1;
  } else {
    out.guest = { accel: res.accel, ...b };
    console.log(`  accel ${res.accel}; medians of ${b.reps}; each figure from POST to the job's end as a client polling every 25 ms sees it`);
    console.log(
      `  status read        process start (sudo -n cowherd-helper status) ${fmt(b.statusProcessMs)} ms vs agent message ${fmt(b.statusAgentMs)} ms → ${fmt(b.statusProcessMs / b.statusAgentMs, 1)}× cheaper`,
    );
    console.log(`  reset 1 PC         ${fmt(b.resetOneMs)} ms    processes started ${fmt(b.pidsPerResetOne)}`);
    console.log(`  reset 14 PCs       ${fmt(b.resetFourteenMs)} ms    processes started ${fmt(b.pidsPerResetFourteen)}`);
    console.log(`  P2 ratio 14 / 1    ${fmt(b.resetFourteenMs / b.resetOneMs, 2)} (target ≤ 1.5)`);
    console.log(
      `  reset 16 MiB COW ${fmt(b.resetSmallMs)} ms, 1 GiB COW ${fmt(b.resetBigMs)} ms → ratio ${fmt(b.resetBigMs / b.resetSmallMs, 2)} (target ≤ 1.2)`,
    );
    console.log(`  seed dd method     16 MiB ${fmt(b.seedSmallMs)} ms, 1 GiB ${fmt(b.seedBigMs)} ms → ratio ${fmt(b.seedBigMs / b.seedSmallMs, 1)}`);
    console.log(
      `  status read, 250 small COWs vs 14 (agent message)  ${fmt(b.status250Ms)} ms vs ${fmt(b.status14Ms)} ms → ${fmt(b.status250Ms / b.status14Ms, 2)}× (target ≤ 2)`,
    );
    console.log(`  up of 236 more PCs ${fmt(b.up250Ms / 1000, 1)} s; GET /api/machines with 250 PCs ${fmt(b.machines250Ms)} ms`);
    console.log(
      `  bulk reset of 250  ${fmt(b.reset250Ms / 1000, 1)} s, ${b.reset250Ok}/250 ok, at most ${b.reset250MostRunning} resetting at once (runs of 16) vs 14 PCs in ${fmt(b.resetFourteenMs)} ms`,
    );
  }
}

/** Part 5: the data path on the real kernel, in its own boot. @param {Record<string, any>} out */
async function datapathPart(out) {
  const { prepareGuest } = await import("./system-test.mjs");
  const { runGuest } = await import("./guest/run-guest.mjs");
  const { guest, files, cacheDir } = await prepareGuest("datapath");
  console.log("\nreal kernel (QEMU guest, 2 vCPUs): the data path, reads of the master and first writes into fresh COWs (≈ 10 min under TCG)");
  const cpu0 = sampleCpu();
  const res = await runGuest(guest, { scenario: "datapath", files, workDir: cacheDir, smp: 2, echo: false, timeoutMs: 30 * 60_000 });
  const otherWork = otherCores(cpu0, sampleCpu(), os.cpus().length);
  const d = res.tagged.find((t) => t.tag === "COWHERD-DATAPATH")?.data;
  if (!d) {
    const crash = res.tagged.find((t) => t.tag === "COWHERD-CHECK" && !t.data?.ok)?.data;
    console.log(`  data-path bench failed (${res.reason}, exit ${res.exitCode})${crash ? `: ${String(crash.detail).slice(0, 2000)}` : ""}`);
    console.log(res.log.split("\n").slice(-20).join("\n"));
    process.exitCode = 1;
    return;
  }
  out.datapath = { accel: res.accel, otherWorkCores: otherWork, ...d };
  for (const line of datapathReport({ ...d, accel: res.accel })) console.log(line);
  // The guest's vCPUs are this host's cores: other work running meanwhile moves every figure.
  console.log(`  ${d.seconds} s in the guest; other work on the host meanwhile: ${fmt(otherWork, 2)} of ${os.cpus().length} cores on average`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
