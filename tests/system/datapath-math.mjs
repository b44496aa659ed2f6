// @ts-check
// The data-path bench's arithmetic, shared by the guest (what to send each initiator, what its answer
// means) and the host (the ratios and the lines it prints). Pure: no I/O, so the unit tests hold it.

/** The paths a block travels, from the PC's view down to the storage host's own devices. */
export const PATHS = /** @type {const} */ (["tgt", "dm", "loop"]);
/** @typedef {typeof PATHS[number]} DataPath */
/** The workloads: reads of the master, and first writes into fresh COWs. */
export const WORKLOADS = /** @type {const} */ (["seqRead", "randRead", "seqWrite", "randWrite"]);
/** @typedef {typeof WORKLOADS[number]} Workload */

/**
 * One measured run: `initiators` sessions released at once, each doing its share of the work at
 * queue depth 1; `ms` from the release to the last session's last answer.
 * @typedef {{ path: DataPath, workload: Workload, initiators: number, chunkKiB: number, bytes: number, ops: number, ms: number }} Run
 */

/**
 * A seeded generator (mulberry32): the same offsets every run, so two runs differ only by the path.
 * @param {number} seed
 */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** @param {number} block @param {number} deviceBytes */
function checkGeometry(block, deviceBytes) {
  if (!(Number.isInteger(block) && block > 0 && Number.isInteger(deviceBytes) && deviceBytes >= block && deviceBytes % block === 0))
    throw new Error(`a device of ${deviceBytes} bytes is not a whole number of ${block}-byte blocks`);
}

/**
 * Sequential: `count` blocks from `start`, wrapping at the device's end.
 * @param {number} count @param {number} block @param {number} start @param {number} deviceBytes
 */
export function sequentialOffsets(count, block, start, deviceBytes) {
  checkGeometry(block, deviceBytes);
  if (start % block !== 0) throw new Error(`start ${start} is not aligned to ${block}`);
  return Array.from({ length: count }, (_, i) => (start + i * block) % deviceBytes);
}

/**
 * Random: `count` block-aligned offsets anywhere on the device (repeats allowed, as a reader's would be).
 * @param {number} count @param {number} block @param {number} deviceBytes @param {number} seed
 */
export function randomOffsets(count, block, deviceBytes, seed) {
  checkGeometry(block, deviceBytes);
  const next = prng(seed);
  const blocks = deviceBytes / block;
  return Array.from({ length: count }, () => Math.floor(next() * blocks) * block);
}

/**
 * First writes: `count` block-aligned offsets, each in a different `slot` (a slot is the largest COW
 * chunk measured), so every write lands in a chunk nothing has written yet, whatever the chunk size:
 * each one costs dm-snapshot a copy-out.
 * @param {number} count @param {number} block @param {number} slot @param {number} deviceBytes @param {number} seed
 */
export function firstWriteOffsets(count, block, slot, deviceBytes, seed) {
  checkGeometry(block, slot);
  checkGeometry(slot, deviceBytes);
  const slots = deviceBytes / slot;
  if (count > slots) throw new Error(`${count} first writes need ${count} slots of ${slot} bytes; the device has ${slots}`);
  const next = prng(seed);
  const order = Array.from({ length: slots }, (_, i) => i);
  // A partial Fisher–Yates shuffle: the first `count` slots of a random order, each once.
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(next() * (slots - i));
    [order[i], order[j]] = [/** @type {number} */ (order[j]), /** @type {number} */ (order[i])];
  }
  const perSlot = slot / block;
  return order.slice(0, count).map((s) => s * slot + Math.floor(next() * perSlot) * block);
}

/**
 * qemu-io commands for one session: quiet reads or writes (no statistics per command), then a loud
 * 512-byte read at 512 whose answer says the session has done its work.
 * @param {"read" | "write"} op @param {number[]} offsets @param {number} len
 */
export function qemuIoScript(op, offsets, len) {
  const cmd = op === "read" ? (/** @type {number} */ o) => `read -q ${o} ${len}` : (/** @type {number} */ o) => `write -q -P 0x5a ${o} ${len}`;
  return [...offsets.map(cmd), DONE_COMMAND].join("\n") + "\n";
}
export const DONE_COMMAND = "read 512 512";
/** What qemu-io prints for DONE_COMMAND. */
export const DONE_ANSWER = "read 512/512 bytes at offset 512";
/** The command a session is sent first, and its answer: the device is open (iSCSI logged in). */
export const READY_COMMAND = "read 0 4096";
export const READY_ANSWER = "read 4096/4096 bytes at offset 0";

/**
 * The lines of a qemu-io session's output that report a failure (qemu-io may still exit 0).
 * @param {string} output
 */
export function qemuIoFailures(output) {
  return output
    .split("\n")
    .map((l) => l.replace(/^(qemu-io> )+/, "").trim())
    .filter((l) => /failed|error|can't open|could not/i.test(l));
}

/**
 * Splits `total` units of work over `n` sessions as evenly as whole units allow.
 * @param {number} total @param {number} n
 */
export function shares(total, n) {
  if (!(Number.isInteger(total) && Number.isInteger(n) && n > 0 && total >= n)) throw new Error(`cannot share ${total} among ${n}`);
  return Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
}

/** @param {Run} r */
export const mibPerSec = (r) => r.bytes / 1048576 / (r.ms / 1000);
/** @param {Run} r */
export const opsPerSec = (r) => r.ops / (r.ms / 1000);
/** Random 4 KiB work is counted in operations, the rest in MiB. @param {Workload} w */
export const unitOf = (w) => (w === "randRead" || w === "randWrite" ? "IOPS" : "MiB/s");
/** @param {Run} r */
export const rateOf = (r) => (unitOf(r.workload) === "IOPS" ? opsPerSec(r) : mibPerSec(r));

/**
 * The samples of each coordinate (path, workload, initiators, chunk) as one run: its median time,
 * and the fastest and slowest sample, so a reader sees how much the machine's other work moved it.
 * @param {Run[]} samples
 * @returns {(Run & { samples: number, msMin: number, msMax: number })[]}
 */
export function medianRuns(samples) {
  /** @type {Map<string, Run[]>} */
  const groups = new Map();
  for (const r of samples) {
    const key = [r.path, r.workload, r.initiators, r.chunkKiB].join("|");
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const ms = g.map((r) => r.ms).sort((a, b) => a - b);
    const mid = ((ms[Math.floor((ms.length - 1) / 2)] ?? NaN) + (ms[Math.ceil((ms.length - 1) / 2)] ?? NaN)) / 2;
    const first = /** @type {Run} */ (g[0]);
    if (g.some((r) => r.bytes !== first.bytes || r.ops !== first.ops))
      throw new Error(`samples of ${first.path} ${first.workload} ×${first.initiators} did different work`);
    return { ...first, ms: mid, samples: g.length, msMin: ms[0] ?? NaN, msMax: ms[ms.length - 1] ?? NaN };
  });
}

/**
 * How far a figure's samples lie apart: slowest / fastest, the median and the largest over all
 * figures with more than one sample; null when none has.
 * @param {Run[]} runs with msMin and msMax when merged by medianRuns
 */
export function spreadOf(runs) {
  const r = runs
    .map((x) => /** @type {Run & { msMin?: number, msMax?: number, samples?: number }} */ (x))
    .filter((x) => (x.samples ?? 1) > 1 && x.msMin !== undefined && x.msMax !== undefined && x.msMin > 0)
    .map((x) => /** @type {number} */ (x.msMax) / /** @type {number} */ (x.msMin))
    .sort((a, b) => a - b);
  if (!r.length) return null;
  return { median: r[Math.floor(r.length / 2)] ?? NaN, max: r[r.length - 1] ?? NaN };
}

/**
 * The run for these coordinates, if measured.
 * @param {Run[]} runs @param {Partial<Run>} want
 */
export function find(runs, want) {
  return runs.find((r) => Object.entries(want).every(([k, v]) => r[/** @type {keyof Run} */ (k)] === v));
}

/** @param {number} n @param {number} [d] */
const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "–");
/** @param {number} n */
const pct = (n) => (Number.isFinite(n) ? `${Math.round(n * 100)} %` : "–");

/** @type {Record<Workload, string>} */
const LABEL = {
  seqRead: "sequential 1 MiB reads of the master",
  randRead: "random 4 KiB reads of the master",
  seqWrite: "first writes, 1 MiB sequential (whole chunks: no read of the origin)",
  randWrite: "first writes, 4 KiB each into a chunk not yet copied (a copy-out each)",
};

/**
 * The data-path part's report: per workload a table of aggregate throughput by path and initiator
 * count, tgt as a fraction of the limit (the dm device read straight, no network stack), how the
 * aggregate scales from 1 reader to 4 and 14; then the chunk-size table.
 * @param {{ runs: Run[], accel: string, initiators: number[], chunkKiB: number[], defaultChunkKiB: number, masterMiB: number, reps: number }} d
 * @returns {string[]}
 */
export function datapathReport({ runs, accel, initiators, chunkKiB, defaultChunkKiB, masterMiB, reps }) {
  const out = [];
  out.push(
    `  accel ${accel}; master ${masterMiB} MiB; each initiator its own PC's LUN (qemu-io over libiscsi for tgt, qemu-io with O_DIRECT on the device for the others), queue depth 1, all released at once; medians of ${reps} rounds, the runs of a round interleaved`,
  );
  if (accel !== "kvm") out.push("  TCG: every figure is an emulated CPU's; read the ratios, not the absolute numbers");
  const spread = spreadOf(runs);
  if (spread)
    out.push(
      `  run to run: a figure's slowest sample took ${fmt(spread.median, 2)}× its fastest (median), up to ${fmt(spread.max, 2)}×; differences smaller than that are noise`,
    );
  out.push("  LIO: left out (not proven on the real kernel yet, issue 20 item 1)");
  const limitName = { tgt: "tgt (iSCSI, loopback)", dm: "dm device (the limit)", loop: "master loop device" };
  const head = initiators.map((n) => `${n} init.`.padStart(11)).join("");
  for (const w of WORKLOADS) {
    const mine = runs.filter((r) => r.workload === w && r.chunkKiB === defaultChunkKiB);
    if (!mine.length) continue;
    out.push(`  ${LABEL[w]}, ${unitOf(w)} (aggregate)${w.endsWith("Write") ? `, ${defaultChunkKiB} KiB chunks` : ""}`);
    out.push(`    ${"".padEnd(24)}${head}   scaling 1 → ${initiators.slice(1).join(" → ")}`);
    for (const p of PATHS) {
      const row = initiators.map((n) => find(mine, { path: p, initiators: n }));
      if (row.every((r) => !r)) continue;
      const rates = row.map((r) => (r ? rateOf(r) : NaN));
      const first = /** @type {number} */ (rates[0]);
      const scaling = rates
        .slice(1)
        .map((x) => `${fmt(x / first, 2)}×`)
        .join(" → ");
      out.push(`    ${limitName[p].padEnd(24)}${rates.map((x) => fmt(x, x < 100 ? 1 : 0).padStart(11)).join("")}   ${scaling}`);
    }
    const frac = initiators.map((n) => {
      const t = find(mine, { path: "tgt", initiators: n });
      const l = find(mine, { path: "dm", initiators: n });
      return t && l ? rateOf(t) / rateOf(l) : NaN;
    });
    out.push(`    ${"tgt / limit".padEnd(24)}${frac.map((f) => pct(f).padStart(11)).join("")}`);
  }
  const chunkRuns = runs.filter((r) => r.workload.endsWith("Write") && chunkKiB.includes(r.chunkKiB));
  const chunkInit = chunkRuns.find((r) => r.chunkKiB !== defaultChunkKiB)?.initiators;
  if (chunkInit !== undefined) {
    out.push(`  COW chunk size and first writes, ${chunkInit} initiators at once (aggregate)`);
    out.push(`    ${"".padEnd(40)}${chunkKiB.map((k) => `${k} KiB`.padStart(11)).join("")}   ${chunkKiB.map((k) => `${k}`).join(" : ")} KiB`);
    for (const w of /** @type {const} */ (["randWrite", "seqWrite"]))
      for (const p of /** @type {const} */ (["tgt", "dm"])) {
        const rates = chunkKiB.map((k) => {
          const r = find(chunkRuns, { workload: w, path: p, chunkKiB: k, initiators: chunkInit });
          return r ? rateOf(r) : NaN;
        });
        if (rates.every((x) => Number.isNaN(x))) continue;
        const base = Math.max(...rates.filter((x) => Number.isFinite(x)));
        const name = `${w === "randWrite" ? "4 KiB first writes" : "1 MiB first writes"}, ${p === "tgt" ? "tgt" : "dm device"} (${unitOf(w)})`;
        out.push(
          `    ${name.padEnd(40)}${rates.map((x) => fmt(x, x < 100 ? 1 : 0).padStart(11)).join("")}   ${rates.map((x) => fmt(x / base, 2)).join(" : ")}`,
        );
      }
  }
  return out;
}
