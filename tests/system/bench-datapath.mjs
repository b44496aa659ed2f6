// @ts-check
// The data path on the real kernel, run inside the guest by scripts/bench.mjs: reads of the master and
// first writes into fresh COWs, through tgt (iSCSI on the guest's loopback) and straight from the dm
// devices and the master's loop device, with 1, 4 and 14 initiators at once; then the COW chunk size's
// effect on first writes. One tool everywhere (qemu-io: libiscsi for tgt, O_DIRECT on a device for
// the rest), so the figures differ by path only.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import {
  DONE_ANSWER,
  firstWriteOffsets,
  medianRuns,
  qemuIoFailures,
  qemuIoScript,
  randomOffsets,
  READY_ANSWER,
  READY_COMMAND,
  sequentialOffsets,
  shares,
} from "./datapath-math.mjs";
import { emit, envOf, helper, installHelper, lunUrl, setupOs, sh, startTgtd, writeConfig, writeMaster } from "./guest-lib.mjs";

const MASTER_MIB = 128;
const MASTER_BYTES = MASTER_MIB * 1048576;
/** 14 PCs a path: a write run's tgt and dm halves each get fresh COWs of their own from one reset. */
const PCS = 28;
export const INITIATORS = [1, 4, 14];
/** Cowherd's default chunk (64 sectors), and the sizes the chunk table compares. */
export const DEFAULT_CHUNK_KIB = 32;
export const CHUNK_KIB = [8, 32, 128];
/** The chunk table's writers: a handful of PCs writing at once, the room's usual morning. */
const CHUNK_INITIATORS = 4;
/**
 * Work per run, shared among its initiators, so a run takes about as long with 1 initiator as with
 * 14 and the aggregate rates compare. The whole part takes about 10 minutes under TCG here, most of
 * it starting qemu-io sessions and resetting COWs, not the measured I/O.
 */
const WORK = {
  seqRead: 112, // 1 MiB reads
  randRead: 896, // 4 KiB reads
  seqWrite: 56, // 1 MiB writes
  randWrite: 448, // 4 KiB writes, each into its own 128 KiB slot (≤ the master's 1024 slots)
};
/** Rounds of every run; the report gives each figure's median (of 2: their mean). */
const REPS = 2;
const SLOT = 128 * 1024;
/** A run that takes longer is stuck: the part fails naming it, rather than at QEMU's timeout. */
const RUN_LIMIT_MS = 180_000;

const now = () => Number(process.hrtime.bigint()) / 1e6;
const dmName = (/** @type {number} */ i) => `dpcow${i}`;
const ids = (/** @type {number} */ n) => Array.from({ length: n }, (_, i) => i + 1);

/** @param {number} chunkKiB */
function configure(chunkKiB) {
  const machines = ids(PCS).map((id) => ({ id, name: `pc${id}`, ip: `127.0.0.${40 + id}`, dmName: dmName(id) }));
  writeConfig(machines, { defaults: { cowSizeMiB: 64, chunkSectors: chunkKiB * 2, mode: "P" } });
}

/** The master's loop device: the snapshots' origin, as `dmsetup table` names it (major:minor). */
function masterLoop() {
  const table = sh("/usr/sbin/dmsetup", ["table", dmName(1)])
    .stdout.trim()
    .split(/\s+/);
  const origin = table[3] ?? "";
  const m = /^DEVNAME=(\S+)$/m.exec(readFileSync(`/sys/dev/block/${origin}/uevent`, "utf8"));
  if (!m) throw new Error(`no device for the origin ${origin} (table: ${table.join(" ")})`);
  return `/dev/${m[1]}`;
}

/**
 * A qemu-io session, open and idle: the device opened (for tgt: logged in) and one 4 KiB read
 * answered, so the measured window holds no process start and no login.
 * @param {string} target an iscsi:// URL or a device path
 * @param {boolean} write
 */
async function openSession(target, write) {
  const child = spawn("/usr/bin/qemu-io", ["-f", "raw", "-t", "none", ...(write ? [] : ["-r"]), target], {
    stdio: ["pipe", "pipe", "pipe"],
    env: envOf({ PATH: "/usr/sbin:/usr/bin", LC_ALL: "C" }),
  });
  let out = "";
  /** @type {(() => void)[]} */
  let watchers = [];
  const take = (/** @type {Buffer} */ d) => {
    out += d.toString();
    for (const w of watchers) w();
  };
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  // "close", not "exit": the last output may still be on its way when the process has exited.
  let closed = false;
  const exited = new Promise((r) => child.once("close", () => ((closed = true), r(null))));
  /** Resolves with the time `text` first shows in the output, rejects if qemu-io exits first. @param {string} text @returns {Promise<number>} */
  const seen = (text) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (out.includes(text)) {
          watchers = watchers.filter((w) => w !== check);
          resolve(now());
        } else if (closed) reject(new Error(`qemu-io ${target} exited (${child.exitCode}): ${out.slice(-800)}`));
      };
      watchers.push(check);
      exited.then(check);
      check();
    });
  child.stdin.write(READY_COMMAND + "\n");
  await seen(READY_ANSWER);
  return {
    /**
     * Sends the script and ends the input; resolves with the time its last command answered.
     * Ended, not left open: without a terminal qemu-io reads its input with stdio and waits for the
     * descriptor before each command, so lines already in stdio's buffer would wait for more input.
     * @param {string} script
     */
    run(script) {
      child.stdin.end(script);
      return seen(DONE_ANSWER);
    },
    async close() {
      await exited;
      const failures = qemuIoFailures(out);
      if (failures.length) throw new Error(`qemu-io ${target}: ${failures.slice(0, 3).join("; ")}`);
    },
  };
}

/**
 * One run: `targets.length` sessions opened, then released together with their scripts.
 * @param {string[]} targets @param {boolean} write @param {string[]} scripts
 */
async function timed(targets, write, scripts) {
  const sessions = await Promise.all(targets.map((t) => openSession(t, write)));
  const t0 = now();
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`a run on ${targets.join(" ")} took over ${RUN_LIMIT_MS / 1000} s`)), RUN_LIMIT_MS);
  });
  const ends = await Promise.race([Promise.all(sessions.map((s, i) => s.run(/** @type {string} */ (scripts[i])))), limit]).finally(() => clearTimeout(timer));
  const ms = Math.max(...ends) - t0;
  await Promise.all(sessions.map((s) => s.close()));
  return ms;
}

/**
 * Each initiator's offsets for a workload: its share of the run's work, different per initiator
 * (its own start or seed) and the same from one path to the next.
 * @param {import("./datapath-math.mjs").Workload} w @param {number} n
 */
function plan(w, n) {
  return shares(WORK[w], n).map((count, i) => {
    switch (w) {
      case "seqRead":
        return { op: /** @type {const} */ ("read"), len: 1048576, offsets: sequentialOffsets(count, 1048576, ((i * 8) % MASTER_MIB) * 1048576, MASTER_BYTES) };
      case "randRead":
        return { op: /** @type {const} */ ("read"), len: 4096, offsets: randomOffsets(count, 4096, MASTER_BYTES, 1000 + i) };
      case "seqWrite":
        return { op: /** @type {const} */ ("write"), len: 1048576, offsets: sequentialOffsets(count, 1048576, 0, MASTER_BYTES) };
      case "randWrite":
        return { op: /** @type {const} */ ("write"), len: 4096, offsets: firstWriteOffsets(count, 4096, SLOT, MASTER_BYTES, 2000 + i) };
      default:
        throw new Error(`no workload ${w}`);
    }
  });
}

/** @param {"tgt" | "dm" | "loop"} path @param {number} i PC number, from 1 */
function targetOf(path, i, loop = "") {
  if (path === "tgt") return lunUrl(dmName(i));
  if (path === "dm") return `/dev/mapper/${dmName(i)}`;
  return loop;
}

/**
 * Back to fresh COWs, with the chunk size the config now names: first writes must be first.
 * @param {number[]} pcs @param {number} chunkKiB
 */
function freshCows(pcs, chunkKiB) {
  const r = helper("reset", "--force", ...pcs.map(String));
  if (r.code !== 0) throw new Error(`reset ${pcs.join(",")} failed: ${r.stdout.slice(0, 1500)} ${r.stderr.slice(0, 500)}`);
  for (const i of pcs) {
    const table = sh("/usr/sbin/dmsetup", ["table", dmName(i)]).stdout.trim();
    if (table.split(/\s+/)[6] !== String(chunkKiB * 2)) throw new Error(`${dmName(i)} is not on ${chunkKiB} KiB chunks after its reset: ${table}`);
  }
}

/** Every PC's snapshot still valid (no Invalid/Overflow: a COW too small would make the writes meaningless). */
function checkSnapshots() {
  const out = sh("/usr/sbin/dmsetup", ["status", "--target", "snapshot"]).stdout;
  if (/Invalid|Overflow/.test(out)) throw new Error(`a snapshot failed during the bench:\n${out}`);
}

export async function datapath() {
  const t0 = now();
  setupOs();
  writeMaster(MASTER_MIB);
  configure(DEFAULT_CHUNK_KIB);
  await startTgtd();
  if (installHelper().code !== 0) throw new Error("install-helper.sh failed");
  const up = helper("up");
  if (up.code !== 0) throw new Error(`up failed: ${up.stdout.slice(0, 2000)}`);
  const loop = masterLoop();
  /** @type {import("./datapath-math.mjs").Run[]} */
  const samples = [];
  /**
   * One coordinate on each of `paths`, one after the other. The k-th path's initiators use PCs
   * k·n+1 … (k+1)·n, so the COWs a write run needs fresh come from one reset before the set.
   * @param {("tgt" | "dm" | "loop")[]} paths @param {import("./datapath-math.mjs").Workload} workload
   * @param {number} n @param {number} chunkKiB
   */
  const measure = async (paths, workload, n, chunkKiB) => {
    const work = plan(workload, n);
    const write = workload.endsWith("Write");
    if (write) {
      configure(chunkKiB);
      freshCows(ids(n * paths.length), chunkKiB);
    }
    for (const [k, path] of paths.entries()) {
      const ms = await timed(
        ids(n).map((i) => targetOf(path, k * n + i, loop)),
        write,
        work.map((p) => qemuIoScript(p.op, p.offsets, p.len)),
      );
      const ops = work.reduce((s, p) => s + p.offsets.length, 0);
      emit("MEASURE", { name: `datapath ${path} ${workload} ×${n} (${chunkKiB} KiB chunks)`, ms: Math.round(ms) });
      samples.push({ path, workload, initiators: n, chunkKiB, ops, bytes: ops * /** @type {number} */ (work[0]?.len), ms });
    }
    if (write) checkSnapshots();
  };
  /** @type {[("tgt" | "dm" | "loop")[], import("./datapath-math.mjs").Workload, number, number][]} every run of a round */
  const round = [];
  for (const w of /** @type {const} */ (["seqRead", "randRead"])) for (const n of INITIATORS) round.push([["tgt", "dm", "loop"], w, n, DEFAULT_CHUNK_KIB]);
  for (const w of /** @type {const} */ (["seqWrite", "randWrite"])) for (const n of INITIATORS) round.push([["tgt", "dm"], w, n, DEFAULT_CHUNK_KIB]);
  // The other chunk sizes (32 KiB at CHUNK_INITIATORS is among the runs above).
  for (const w of /** @type {const} */ (["seqWrite", "randWrite"]))
    for (const c of CHUNK_KIB) if (c !== DEFAULT_CHUNK_KIB) round.push([["tgt", "dm"], w, CHUNK_INITIATORS, c]);
  // Rounds, not one coordinate several times over: whatever else the host does shifts every path alike.
  for (let rep = 0; rep < REPS; rep++) {
    // The reads must read the master: no COW may hold a block the last round wrote.
    configure(DEFAULT_CHUNK_KIB);
    freshCows(ids(PCS), DEFAULT_CHUNK_KIB);
    for (const [paths, w, n, c] of round) await measure(paths, w, n, c);
  }
  emit("DATAPATH", {
    runs: medianRuns(samples),
    reps: REPS,
    masterMiB: MASTER_MIB,
    initiators: INITIATORS,
    chunkKiB: CHUNK_KIB,
    defaultChunkKiB: DEFAULT_CHUNK_KIB,
    seconds: Math.round((now() - t0) / 1000),
  });
}
