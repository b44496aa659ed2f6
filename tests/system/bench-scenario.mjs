// @ts-check
// Timings on the real kernel, run inside the guest by scripts/bench.mjs. Everything the bench
// reports is a ratio of two figures measured here, in the same boot.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import {
  apiSession,
  APP_USER,
  cowLoopOf,
  emit,
  helper,
  HELPER,
  installHelper,
  qemuIo,
  setupOs,
  sh,
  sleep,
  startApp,
  startTgtd,
  writeConfig,
  writeMaster,
} from "./guest-lib.mjs";

const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;
/** The kernel's last allocated PID. */
const lastPid = () => Number(readFileSync("/proc/loadavg", "utf8").trim().split(/\s+/).pop());

/**
 * Processes started (and ended) between two PIDs: every PID handed out in the span whose task is
 * gone again — a command that ran and exited. Kernel threads that device-mapper starts for a new
 * snapshot (kcopyd and friends) stay alive, and live threads of the app are not counted either.
 */
function processesStarted(/** @type {number} */ from, /** @type {number} */ to) {
  let gone = 0;
  for (let pid = from + 1; pid <= to; pid++) if (!existsSync(`/proc/${pid}`)) gone++;
  return gone;
}
/** @type {[string, ...string[]]} */
const asApp = ["/usr/bin/setpriv", `--reuid=${APP_USER.uid}`, `--regid=${APP_USER.gid}`, "--clear-groups"];

/** The 2010 method: LUN off, suspend, dd the whole COW, reload, resume, LUN on (wrong, but timed). */
function seedReset(/** @type {number} */ id, /** @type {string} */ dm) {
  const tgt = (/** @type {string[]} */ ...a) => sh("/usr/sbin/tgtadm", ["--lld", "iscsi", ...a]);
  const table = sh("/usr/sbin/dmsetup", ["table", dm]).stdout.trim();
  const cow = cowLoopOf(dm);
  const t0 = now();
  tgt("--op", "delete", "--mode", "logicalunit", "--tid", String(id), "--lun", "1");
  sh("/usr/sbin/dmsetup", ["suspend", dm]);
  sh("/usr/bin/dd", ["if=/dev/zero", `of=${cow}`, "bs=1M", "oflag=direct", "status=none"]);
  sh("/usr/sbin/dmsetup", ["reload", dm, "--table", table]);
  sh("/usr/sbin/dmsetup", ["resume", dm]);
  tgt("--op", "new", "--mode", "logicalunit", "--tid", String(id), "--lun", "1", "-b", `/dev/mapper/${dm}`, "--bsoflags", "direct");
  return now() - t0;
}

/** Status read cost as the web app's user sees it: a whole `sudo -n cowherd-helper status` process… */
function processRead() {
  const t0 = now();
  const r = sh(asApp[0], [...asApp.slice(1), "/usr/bin/sudo", "-n", HELPER, "status"]);
  if (r.code !== 0) throw new Error(`sudo helper status: ${r.stderr || r.stdout}`);
  return now() - t0;
}

/** …against one status message to a running agent (started once through sudo, as the app does). */
async function agentReads(/** @type {number} */ n) {
  const agent = spawn(asApp[0], [...asApp.slice(1), "/usr/bin/sudo", "-n", HELPER, "serve"], { stdio: ["pipe", "pipe", "inherit"] });
  let buf = "";
  /** @type {((line: string) => void)[]} */
  const waiters = [];
  agent.stdout.on("data", (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      waiters.shift()?.(line);
    }
  });
  const next = () => new Promise((r) => waiters.push(r));
  await next(); // hello
  const times = [];
  for (let i = 1; i <= n; i++) {
    const t0 = now();
    agent.stdin.write(JSON.stringify({ id: i, args: ["status"] }) + "\n");
    await next();
    times.push(now() - t0);
  }
  agent.stdin.end();
  await new Promise((r) => agent.once("exit", r));
  return times;
}

export async function bench() {
  setupOs();
  writeMaster();
  /** @type {{ id: number, name: string, ip: string, dmName: string, cowSizeMiB?: number }[]} */
  const machines = Array.from({ length: 14 }, (_, i) => ({ id: i + 1, name: `pc${i + 1}`, ip: `127.0.0.${41 + i}`, dmName: `retrocow${i + 1}` }));
  machines.push({ id: 15, name: "big", ip: "127.0.0.60", dmName: "bigcow", cowSizeMiB: 1024 });
  writeConfig(machines, { statusCacheMs: 100 });
  await startTgtd();
  if (installHelper().code !== 0) throw new Error("install-helper.sh failed");
  const up = helper("up");
  if (up.code !== 0) throw new Error(`up failed: ${up.stdout}`);
  const reps = 5;

  // Status read: a process start per read (the old way) vs a message to the long-lived agent.
  const proc = [];
  for (let i = 0; i < reps; i++) proc.push(processRead());
  const msg = await agentReads(reps * 2);

  // Resets on the app's own path: API → job → agent → kernel, the server already running.
  const app = await startApp();
  const api = await apiSession(app.url);
  for (let i = 0; i < 40 && (await api.get("/api/machines")).json?.hosts?.[0]?.health?.state !== "up"; i++) await sleep(250);
  const all = machines.slice(0, 14).map((m) => m.id);
  const one = [];
  const fourteen = [];
  const small = [];
  const big = [];
  /** @type {{ one: number[], fourteen: number[] }} */
  const pids = { one: [], fourteen: [] };
  await api.reset([1]); // warm up: the agent's dm worker starts with the first reset
  for (let i = 0; i < reps; i++) {
    qemuIo("retrocow1", "write -P 0x11 0 4M");
    qemuIo("bigcow", "write -P 0x11 0 4M");
    let p0 = lastPid();
    const a = await api.reset([1]);
    pids.one.push(processesStarted(p0, lastPid()));
    one.push(a.ms);
    p0 = lastPid();
    const b = await api.reset(all);
    pids.fourteen.push(processesStarted(p0, lastPid()));
    fourteen.push(b.ms);
    if (a.job.summary.ok !== 1 || b.job.summary.ok !== 14) throw new Error(`a reset failed: ${JSON.stringify([a.job.summary, b.job.summary])}`);
    small.push((await api.reset([1])).ms);
    big.push((await api.reset([15])).ms);
  }
  await app.stop();

  qemuIo("retrocow1", "write -P 0x22 0 4M");
  qemuIo("bigcow", "write -P 0x22 0 4M");
  const seedSmall = seedReset(1, "retrocow1");
  const seedBig = seedReset(15, "bigcow");
  helper("reset", "1", "15"); // repair what the seed method left behind

  // A /24: the status read of 250 small COWs against 14 on the same host (agent messages), and a
  // bulk reset of all 250 through the app, in runs of resetConcurrency (16).
  helper("down", "15");
  writeConfig(machines.slice(0, 14), { statusCacheMs: 100 });
  const read14 = await agentReads(reps * 3);
  const room = Array.from(
    { length: 250 },
    (_, i) => machines[i] ?? { id: i + 1, name: `pc${i + 1}`, ip: `127.0.1.${i + 1}`, dmName: `smallcow${i + 1}`, cowSizeMiB: 1 },
  );
  writeConfig(room, { statusCacheMs: 100 });
  let t0 = now();
  const up250 = helper("up");
  const upMs = now() - t0;
  if (up250.code !== 0) throw new Error(`up 250 failed: ${up250.stdout.slice(0, 2000)}`);
  const read250 = await agentReads(reps * 3);
  const app250 = await startApp();
  const api250 = await apiSession(app250.url);
  for (let i = 0; i < 80 && (await api250.get("/api/machines")).json?.hosts?.[0]?.health?.state !== "up"; i++) await sleep(250);
  const machinesMs250 = [];
  for (let i = 0; i < 10; i++) {
    const t = now();
    await api250.get("/api/machines");
    machinesMs250.push(now() - t);
  }
  t0 = now();
  const started = await api250.post("/api/resets", { machines: "all", whenOnline: "force" });
  /** @type {import("./guest-lib.mjs").Doc} */
  let job = started.json?.job;
  let mostRunning = 0;
  while (job.finishedAt === null) {
    mostRunning = Math.max(mostRunning, (job.machines ?? []).filter((m) => m.state === "running").length);
    await sleep(100);
    job = (await api250.get(`/api/jobs/${job.id}`)).json?.job;
  }
  const reset250Ms = now() - t0;
  await app250.stop();
  emit("BENCH", {
    status14Ms: median(read14),
    status250Ms: median(read250),
    up250Ms: upMs,
    machines250Ms: median(machinesMs250),
    reset250Ms,
    reset250Ok: job.summary.ok,
    reset250MostRunning: mostRunning,
    reps,
    statusProcessMs: median(proc),
    statusAgentMs: median(msg),
    resetOneMs: median(one),
    resetFourteenMs: median(fourteen),
    pidsPerResetOne: median(pids.one),
    pidsPerResetFourteen: median(pids.fourteen),
    resetSmallMs: median(small),
    resetBigMs: median(big),
    seedSmallMs: seedSmall,
    seedBigMs: seedBig,
  });
}
