// The 250-PC part of `npm run bench` (imported by scripts/bench.mjs): the shared status read, the
// grid's view and GET /api/machines for 250 PCs against 14 on the same machine, a bulk reset of 250
// with bounded concurrency, and the usage sampling's cost and size over a simulated day.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRuntime } from "../lib/runtime";
import { openDatabase } from "../lib/db/open";
import { UsageRepo } from "../lib/db/usage";
import { UsageSampler } from "../lib/usage/sampler";
import { parseConfig } from "../lib/config/load";
import { demoConfig } from "../lib/config/demo";
import type { HostReading } from "../lib/status/room";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function timed(n: number, fn: () => Promise<unknown> | unknown): Promise<number[]> {
  for (let i = 0; i < Math.min(20, n); i++) await fn(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out.push(ms(t0));
  }
  return out;
}

/** The status read (the host asked afresh each time) and the grid's view, in-process, for a room of `pcs`. */
async function inProcess(pcs: number) {
  const dir = mkdtempSync(path.join(tmpdir(), "cowherd-bench-"));
  const rt = await createRuntime(
    { COWHERD_DATA_DIR: dir, COWHERD_SIM_PCS: String(pcs), COWHERD_SIM_ACTIVITY: "0", COWHERD_ADMIN_PASSWORD: "bench-password" },
    () => undefined,
    { deferStart: true },
  );
  try {
    const host = rt.room.hosts()[0]!.name;
    const read = await timed(300, async () => {
      rt.room.invalidate(host);
      await rt.room.read();
    });
    const view = await timed(300, () => rt.machinesView());
    const watch = await timed(100, () => rt.watch.tick());
    const json = JSON.stringify(await rt.machinesView()).length;
    return { read: median(read), view: median(view), watch: median(watch), json };
  } finally {
    rt.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A day of samples for `pcs` PCs every `sampleSeconds`, every PC changing at every tick (the worst
 * case), through the sampler's own path, then the scheduler's fold and prune.
 */
function samplingDay(pcs: number, hours: number) {
  const dir = mkdtempSync(path.join(tmpdir(), "cowherd-bench-db-"));
  const file = path.join(dir, "cowherd.sqlite");
  const config = parseConfig(demoConfig({ COWHERD_SIM_PCS: String(pcs) }));
  const db = openDatabase(file);
  const repo = new UsageRepo(db);
  let now = Date.UTC(2026, 10, 1);
  const sampler = new UsageSampler(config, repo, () => now);
  const step = config.usage.sampleSeconds * 1000;
  const ticks: number[] = [];
  const t0all = process.hrtime.bigint();
  for (let i = 0; i < (hours * 3_600_000) / step; i++, now += step) {
    const readings: HostReading[] = [
      {
        name: "local",
        health: { state: "up", since: 0 },
        failing: null,
        status: {
          readAt: now,
          machines: config.machines.map((m) => ({
            id: m.id,
            state: "ok" as const,
            usedSectors: 16 + i * (m.id % 7) * 8,
            totalSectors: 409600,
            online: true,
            initiators: [],
            exported: true,
            suspended: false,
          })),
          stores: [{ dir: "/store", freeBytes: 5e10, sizeBytes: 1e11, reserveBytes: 1 << 30 }],
        },
      },
    ];
    const t0 = process.hrtime.bigint();
    sampler.observe(readings);
    ticks.push(ms(t0));
  }
  const fillSeconds = ms(t0all) / 1000;
  const before = repo.counts();
  db.pragma("wal_checkpoint(TRUNCATE)");
  const sizeBefore = statSync(file).size;
  const tf = process.hrtime.bigint();
  const compact = sampler.compact();
  const foldMs = ms(tf);
  const after = repo.counts();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.exec("VACUUM");
  const sizeAfter = statSync(file).size;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    pcs,
    hours,
    ticks: ticks.length,
    tickMs: median(ticks),
    tickP99: p99(ticks),
    fillSeconds,
    before,
    sizeBefore,
    compact,
    foldMs,
    after,
    sizeAfter,
    memoryPoints: sampler.memoryPoints(),
  };
}

export async function roomBench(
  log: (s: string) => void,
  http: { api(pcs: number): Promise<{ machinesMs: number; bulk: { ms: number; mostRunning: number; ok: number; requested: number; runs: number } }> },
) {
  const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "–");
  log("250 PCs vs 14 on the same machine (simulated storage; medians)");
  const small = await inProcess(14);
  const big = await inProcess(250);
  log(`  status read (host asked afresh)  14: ${fmt(small.read, 3)} ms   250: ${fmt(big.read, 3)} ms   → ${fmt(big.read / small.read, 2)}×`);
  log(
    `  grid view (status + history)     14: ${fmt(small.view, 2)} ms    250: ${fmt(big.view, 2)} ms    → ${fmt(big.view / small.view, 2)}×   (${fmt(small.json / 1024, 0)} KiB vs ${fmt(big.json / 1024, 0)} KiB of JSON)`,
  );
  log(`  room watch tick (boots, usage, events, auto-extend)  14: ${fmt(small.watch, 2)} ms   250: ${fmt(big.watch, 2)} ms`);
  const a = await http.api(14);
  const b = await http.api(250);
  const ratio = b.machinesMs / a.machinesMs;
  log(`  GET /api/machines over HTTP      14: ${fmt(a.machinesMs, 2)} ms   250: ${fmt(b.machinesMs, 2)} ms   → ${fmt(ratio, 2)}× (target ≤ 2)`);
  log(
    `  bulk reset of all, runs of 16    14: ${fmt(a.bulk.ms / 1000, 1)} s (${a.bulk.runs} run)   250: ${fmt(b.bulk.ms / 1000, 1)} s (${b.bulk.runs} runs), ${b.bulk.ok}/${b.bulk.requested} ok, at most ${b.bulk.mostRunning} resetting at once (bound 16)`,
  );
  log("usage sampling: a simulated day, 250 PCs all changing every 10 s (worst case), then the hourly fold");
  const day = samplingDay(250, 26);
  log(
    `  per tick ${fmt(day.tickMs, 2)} ms (p99 ${fmt(day.tickP99, 2)} ms), ${day.ticks} ticks in ${fmt(day.fillSeconds, 0)} s; memory: ${day.memoryPoints} rate-window points`,
  );
  log(`  before the fold: ${day.before.samples} samples, ${day.before.room} room rows, ${fmt(day.sizeBefore / 1048576, 0)} MiB`);
  log(
    `  after folding the 2 h past usage.fullHours: ${day.after.samples} samples + ${day.after.buckets} buckets, ${fmt(day.sizeAfter / 1048576, 0)} MiB; fold ${fmt(day.foldMs, 0)} ms`,
  );
  log(`  bound: ≤ 250 × 8 640 = ${250 * 8640} samples a day, then 288 buckets per PC per day for 30 days\n`);
  return { small, big, api14: a, api250: b, machinesRatio: ratio, day };
}
