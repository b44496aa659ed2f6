import { describe, expect, it } from "vitest";
import { fillRate, mibPerMin, RateWindows, timeToFull } from "@/lib/usage/rate";
import { UsageSampler } from "@/lib/usage/sampler";
import { UsageRepo, BUCKET_MS } from "@/lib/db/usage";
import { openDatabase } from "@/lib/db/open";
import { parseConfig } from "@/lib/config/load";
import { demoConfig } from "@/lib/config/demo";
import type { HostReading } from "@/lib/status/room";

const MIB = 2048; // sectors
/** Full resolution: a point per millisecond at most. */
const ALL = Number.MAX_SAFE_INTEGER;
/** A PC writing `rate` MiB/min, read every `step` ms from t0. */
const line = (n: number, rate: number, step = 2000, t0 = 0, used0 = 16) =>
  Array.from({ length: n }, (_, i) => ({ at: t0 + i * step, used: used0 + (rate * MIB * i * step) / 60_000 }));

describe("fill rate", () => {
  it("is the slope of the window in MiB/min", () => {
    expect(mibPerMin(fillRate(line(300, 40), 10 * 60_000)!)).toBeCloseTo(40, 6);
    expect(mibPerMin(fillRate(line(30, 2.5), 10 * 60_000)!)).toBeCloseTo(2.5, 6);
  });

  it("uses only the window: an earlier burst does not count", () => {
    const burst = line(60, 100); // 2 minutes at 100 MiB/min
    const calm = line(300, 5, 2000, burst[59]!.at + 2000, burst[59]!.used).slice(0);
    expect(mibPerMin(fillRate([...burst, ...calm], 5 * 60_000)!)).toBeCloseTo(5, 6);
  });

  it("starts afresh after a reset (a drop): the slope across it is not a rate", () => {
    const before = line(100, 40);
    const after = line(40, 3, 2000, before[99]!.at + 2000, 16);
    expect(mibPerMin(fillRate([...before, ...after], 10 * 60_000)!)).toBeCloseTo(3, 6);
    // right after a reset there is too little to say
    expect(fillRate([...before, ...after.slice(0, 5)], 10 * 60_000)).toBeNull();
  });

  it("is null for a single point or less than 30 s, zero for an idle PC, never negative", () => {
    expect(fillRate([{ at: 0, used: 16 }], 60_000)).toBeNull();
    expect(fillRate(line(10, 40), 60_000)).toBeNull(); // 18 s
    expect(fillRate(line(60, 0), 60_000)).toBe(0);
  });

  it("time to full: remaining over the rate; 0 when full; null when not filling", () => {
    const rate = (40 * MIB) / 60_000; // 40 MiB/min in sectors/ms
    expect(timeToFull(100 * MIB, 200 * MIB, rate)).toBeCloseTo(150_000, 3); // 100 MiB at 40 MiB/min = 2.5 min
    expect(timeToFull(200 * MIB, 200 * MIB, rate)).toBe(0);
    expect(timeToFull(100 * MIB, 200 * MIB, 0)).toBeNull();
    expect(timeToFull(100 * MIB, 200 * MIB, null)).toBeNull();
  });

  it("windows stay bounded by their length, whatever runs long", () => {
    const w = new RateWindows(60_000);
    for (let i = 0; i < 10_000; i++) w.add(1, i * 2000, i);
    expect(w.size()).toBeLessThanOrEqual(32);
    expect(mibPerMin(w.rate(1)!)).toBeCloseTo(30 / 2048, 6); // one sector per 2 s
  });
});

describe("usage sampler (SQLite)", () => {
  const config = parseConfig({ ...demoConfig(), usage: { sampleSeconds: 10, rateWindowMinutes: 10, fullHours: 1, keepDays: 2 } });
  const reading = (at: number, used: (id: number) => number, online: (id: number) => boolean = (id) => id === 1): HostReading[] => [
    {
      name: "local",
      health: { state: "up", since: 0 },
      failing: null,
      status: {
        readAt: at,
        machines: config.machines.map((m) => ({
          id: m.id,
          state: "ok" as const,
          usedSectors: used(m.id),
          totalSectors: 409600,
          online: online(m.id),
          initiators: [],
          exported: true,
          suspended: false,
        })),
        stores: [{ dir: "/store", freeBytes: 5e9, sizeBytes: 1e10, reserveBytes: 1e9 }],
      },
    },
  ];

  it("writes changed PCs every sampleSeconds (idle ones every 5 min), the room each time, and knows rates", () => {
    const db = openDatabase(":memory:");
    const repo = new UsageRepo(db);
    let now = 1_000_000;
    const sampler = new UsageSampler(config, repo, () => now);
    // 10 minutes of reads every 2 s: PC 1 writes 5 MiB/min, the others are idle.
    for (let i = 0; i <= 300; i++, now += 2000) sampler.observe(reading(now, (id) => (id === 1 ? 16 + Math.round((5 * MIB * i * 2) / 60) : 16)));
    const c = repo.counts();
    expect(c.room).toBe(61); // one per 10 s
    expect(repo.series(1, 0, now, ALL)).toHaveLength(61); // PC 1 changes every time
    expect(repo.series(2, 0, now, ALL)).toHaveLength(3); // idle: first sample, then every 5 minutes
    expect(sampler.projection(1)!.mibPerMin).toBeCloseTo(5, 1);
    expect(sampler.projection(2)!.mibPerMin).toBe(0);
    // 409600 - ~102416 sectors left at 5 MiB/min: about 30 minutes
    expect(sampler.projection(1)!.fullInMs! / 60_000).toBeCloseTo((409600 - 16 - 102400) / 2048 / 5, 0);
    expect(repo.roomSeries(0, now, 1000)[0]).toEqual([1_000_000, 16 * 14, 409600 * 14, 1, 5e9]);
    // A new process picks the window up from the database: the rate is there at once.
    const again = new UsageSampler(config, repo, () => now);
    again.observe(reading(now, (id) => (id === 1 ? 16 + Math.round((5 * MIB * 301 * 2) / 60) : 16)));
    expect(again.projection(1)!.mibPerMin).toBeCloseTo(5, 0);
  });

  it("a PC that fills up faster than the window's 30 s still dies with its last rate", () => {
    const repo = new UsageRepo(openDatabase(":memory:"));
    let now = 1_000_000;
    const sampler = new UsageSampler(config, repo, () => now);
    // 40 MiB/min for 12 s, then its snapshot is Invalid (no numbers).
    for (let i = 0; i <= 6; i++, now += 2000)
      sampler.observe(
        reading(
          now,
          (id) => (id === 3 ? 16 + Math.round((40 * MIB * i * 2) / 60) : 16),
          (id) => id === 3,
        ),
      );
    expect(sampler.projection(3)!.mibPerMin).toBeNull(); // too short a span for the card's rate
    const dead = reading(now, () => 16);
    dead[0]!.status!.machines[2] = { ...dead[0]!.status!.machines[2]!, state: "invalid", usedSectors: undefined, totalSectors: undefined };
    sampler.observe(dead);
    expect(sampler.projection(3)!.lastMibPerMin).toBeCloseTo(40, 0);
    expect(sampler.projection(4)!.lastMibPerMin).toBe(0); // an idle PC was filling at 0
  });

  it("an offline PC is not filling, whatever its last session wrote; its next boot measures afresh", () => {
    const repo = new UsageRepo(openDatabase(":memory:"));
    let now = 1_000_000;
    const sampler = new UsageSampler(config, repo, () => now);
    let used = 16;
    // 6 minutes at 4 MiB/min online, then it shuts down: its numbers stay where they were.
    for (let i = 0; i <= 180; i++, now += 2000)
      sampler.observe(
        reading(
          now,
          (id) => (id === 5 ? (used = 16 + Math.round((4 * MIB * i * 2) / 60)) : 16),
          (id) => id === 5,
        ),
      );
    expect(sampler.projection(5)!.mibPerMin).toBeCloseTo(4, 1);
    for (const steps of [1, 30, 150]) {
      for (let i = 0; i < steps; i++, now += 2000)
        sampler.observe(
          reading(
            now,
            (id) => (id === 5 ? used : 16),
            () => false,
          ),
        );
      expect(sampler.projection(5)!.mibPerMin).toBe(0);
      expect(sampler.projection(5)!.fullInMs).toBeNull();
    }
    // It boots again: too little of this session to say yet, not the old slope.
    for (let i = 0; i < 5; i++, now += 2000)
      sampler.observe(
        reading(
          now,
          (id) => (id === 5 ? used + i * 100 : 16),
          (id) => id === 5,
        ),
      );
    expect(sampler.projection(5)!.mibPerMin).toBeNull();
  });

  it("folds samples older than fullHours into 5-minute buckets (highest use kept) and prunes past keepDays", () => {
    const db = openDatabase(":memory:");
    const repo = new UsageRepo(db);
    let now = 10 * BUCKET_MS;
    const sampler = new UsageSampler(config, repo, () => now);
    for (let i = 0; i < 3 * 360; i++, now += 10_000) sampler.observe(reading(now, (id) => (id === 1 ? 16 + i * 10 : 16)));
    const before = repo.counts();
    const full = repo.series(1, 0, now, ALL);
    sampler.compact();
    const after = repo.counts();
    expect(after.samples).toBeLessThan(before.samples);
    expect(after.buckets).toBeGreaterThan(0);
    const series = repo.series(1, 0, now, ALL);
    // one point per bucket for the folded 2 hours, full resolution for the last hour
    expect(series.length).toBeLessThan(full.length);
    const folded = series.filter(([at]) => at < now - 3_600_000);
    expect(folded.every(([at]) => at % BUCKET_MS === 0)).toBe(true);
    expect(Math.max(...folded.map(([, used]) => used!))).toBe(Math.max(...full.filter(([at]) => at < now - 3_600_000).map(([, u]) => u!)));
    // two days on, everything of this day is gone
    now += 3 * 86_400_000;
    sampler.compact();
    expect(repo.counts()).toEqual({ samples: 0, buckets: 0, room: 0 });
  });
});
