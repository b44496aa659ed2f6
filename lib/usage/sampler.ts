import type { Config, DiskKind, Machine } from "../config/schema";
import type { DiskHostStatus } from "../host/types";
import type { UsageRepo, UsageSample } from "../db/usage";
import type { HostReading } from "../status/room";
import { mibPerMin, RateWindows, timeToFull } from "./rate";

/** What the grid shows of a PC's growth: how fast it fills, and when it will be full at that rate. */
export interface UsageProjection {
  /** MiB per minute over the rate window (since its last reset); null while there is too little to say. */
  mibPerMin: number | null;
  /** The size it fills up to: its COW now, or its maximum when auto-extend may still grow it. */
  ceilingSectors: number;
  /** Milliseconds until full at that rate (0: full now), null when it is not filling. */
  fullInMs: number | null;
  /** The last rate seen while it had numbers (kept when it dies: "last rate 40 MiB/min"). */
  lastMibPerMin: number | null;
}

/** A PC's sample is written at least this often even when nothing changed (the chart's line goes on). */
const KEEP_ALIVE_MS = 5 * 60_000;
/** The shortest span of samples a dying PC's last rate is taken from (its window needs 30 s). */
const LAST_RATE_MIN_SPAN_MS = 5_000;

/**
 * Samples every PC's numbers from the shared status read (no read of its own): each read feeds the
 * fill-rate windows; every `usage.sampleSeconds` the PCs whose numbers changed (and each PC at least
 * every 5 minutes) and the room's totals are written in one transaction. So writes per day are
 * bounded by PCs × 86 400 / sampleSeconds, whatever the number of dashboards.
 */
export class UsageSampler {
  private readonly windows: RateWindows;
  private readonly lastWritten = new Map<number, { at: number; key: string }>();
  private readonly projections = new Map<number, UsageProjection>();
  private readonly lastRates = new Map<number, number>();
  private readonly byId: Map<number, Machine>;
  private lastTick = 0;

  constructor(
    private readonly config: Config,
    private readonly repo: UsageRepo,
    private readonly now: () => number = Date.now,
  ) {
    this.windows = new RateWindows(config.usage.rateWindowMinutes * 60_000);
    this.byId = new Map(config.machines.map((m) => [m.id, m]));
    // After a restart the windows start from what was stored, so rates are there at once.
    for (const s of repo.since(this.now() - config.usage.rateWindowMinutes * 60_000)) {
      if (s.usedSectors !== null && s.state === "ok") this.windows.add(s.machineId, s.at, s.usedSectors);
      this.lastWritten.set(s.machineId, { at: s.at, key: keyOf(s) });
    }
  }

  /** The ceiling a PC fills up to: its COW now, or its maximum while auto-extend can grow it. */
  private ceiling(m: Pick<Machine, "maxCowSizeMiB">, total: number): number {
    return this.config.autoextend.threshold < 100 ? Math.max(total, m.maxCowSizeMiB * 2048) : total;
  }

  /**
   * One disk's fill rate and projection from this read. The rate windows and projections are keyed
   * by `key`: the PC's id for its system disk, minus its id for its game disk.
   */
  private project(key: number, readAt: number, d: DiskHostStatus, sizes: Pick<Machine, "maxCowSizeMiB">, online: boolean): void {
    const used = d.usedSectors ?? null;
    const total = d.totalSectors ?? null;
    if (d.state === "ok" && used !== null && total !== null) {
      this.windows.add(key, readAt, used, online);
      const rate = this.windows.rate(key);
      // A PC that fills its COW within the window's minimum span still dies with a rate to tell.
      const last = rate ?? this.windows.rate(key, LAST_RATE_MIN_SPAN_MS);
      if (last !== null) this.lastRates.set(key, mibPerMin(last));
      const ceiling = this.ceiling(sizes, total);
      this.projections.set(key, {
        mibPerMin: rate === null ? null : mibPerMin(rate),
        ceilingSectors: ceiling,
        fullInMs: timeToFull(used, ceiling, rate),
        lastMibPerMin: this.lastRates.get(key) ?? null,
      });
    } else {
      this.windows.forget(key);
      this.projections.set(key, { mibPerMin: null, ceilingSectors: total ?? 0, fullInMs: null, lastMibPerMin: this.lastRates.get(key) ?? null });
    }
  }

  observe(readings: readonly HostReading[]): void {
    const at = this.now();
    const samples: UsageSample[] = [];
    for (const r of readings) {
      if (r.failing || !r.status) continue; // old numbers are not new samples
      for (const s of r.status.machines) {
        const m = this.byId.get(s.id);
        if (!m) continue;
        const used = s.usedSectors ?? null;
        const total = s.totalSectors ?? null;
        this.project(s.id, r.status.readAt, s, m, s.online);
        // The game disk's rate and projection (its samples are not stored: charts show the system disk).
        if (m.game && s.game) this.project(-s.id, r.status.readAt, s.game, m.game, s.online);
        samples.push({ machineId: s.id, at: r.status.readAt, usedSectors: used, totalSectors: total, state: s.state, online: s.online });
      }
    }
    if (at - this.lastTick < this.config.usage.sampleSeconds * 1000) return;
    this.lastTick = at;
    const changed = samples.filter((s) => {
      const last = this.lastWritten.get(s.machineId);
      return !last || last.key !== keyOf(s) || s.at - last.at >= KEEP_ALIVE_MS;
    });
    for (const s of changed) this.lastWritten.set(s.machineId, { at: s.at, key: keyOf(s) });
    const ok = samples.filter((s) => s.usedSectors !== null && s.totalSectors !== null);
    const stores = readings.flatMap((r) => (!r.failing && r.status?.stores) || []);
    this.repo.write(
      changed,
      samples.length
        ? {
            at,
            usedSectors: ok.reduce((n, s) => n + s.usedSectors!, 0),
            totalSectors: ok.reduce((n, s) => n + s.totalSectors!, 0),
            machines: samples.length,
            online: samples.filter((s) => s.online).length,
            freeBytes: stores.length ? stores.reduce((n, s) => n + s.freeBytes, 0) : null,
          }
        : null,
    );
  }

  projection(id: number, disk: DiskKind = "system"): UsageProjection | null {
    return this.projections.get(disk === "game" ? -id : id) ?? null;
  }

  /** Folds samples older than usage.fullHours into buckets and drops buckets older than usage.keepDays. */
  compact(): { folded: number; pruned: number } {
    const now = this.now();
    const { samples } = this.repo.fold(now - this.config.usage.fullHours * 3_600_000);
    return { folded: samples, pruned: this.repo.prune(now - this.config.usage.keepDays * 86_400_000) };
  }

  /** Points held in memory for the rate windows (bounded by PCs × window / read interval). */
  memoryPoints(): number {
    return this.windows.size();
  }
}

const keyOf = (s: UsageSample) => `${s.usedSectors}|${s.totalSectors}|${s.state}|${s.online ? 1 : 0}`;
