import type Database from "better-sqlite3";

/** One PC's numbers at one moment, as sampled from the shared status read. */
export interface UsageSample {
  machineId: number;
  at: number;
  usedSectors: number | null;
  totalSectors: number | null;
  state: string;
  online: boolean;
}

/** A point of a chart: [at, used, total, state]; older points are 5-minute buckets (their highest use). */
export type UsagePoint = [at: number, used: number | null, total: number | null, state: string];
export type RoomPoint = [at: number, used: number, total: number, online: number, freeBytes: number | null];

export interface RoomSample {
  at: number;
  usedSectors: number;
  totalSectors: number;
  machines: number;
  online: number;
  freeBytes: number | null;
}

export const BUCKET_MS = 5 * 60_000;

/** The width of one chart slice: integer milliseconds, so `(at - from) / width` (integer division in SQL) gives at most maxPoints slices. */
const sliceWidth = (from: number, to: number, maxPoints: number) => Math.max(1, Math.floor((to - from) / Math.max(1, maxPoints)) + 1);

/** Usage history: full-resolution samples, folded into 5-minute buckets, pruned (lib/usage/sampler.ts decides what to write). */
export class UsageRepo {
  private readonly insertSample;
  private readonly insertRoomRow;

  constructor(private readonly db: Database.Database) {
    this.insertSample = db.prepare(
      "INSERT OR REPLACE INTO usage_samples (machine_id, at, used_sectors, total_sectors, state, online) VALUES (@machineId, @at, @usedSectors, @totalSectors, @state, @online)",
    );
    this.insertRoomRow = db.prepare(
      "INSERT OR REPLACE INTO room_samples (at, used_sectors, total_sectors, machines, online, free_bytes) VALUES (@at, @usedSectors, @totalSectors, @machines, @online, @freeBytes)",
    );
  }

  /** One sampling tick: the PCs that changed and the room's totals, in one transaction. */
  write(samples: readonly UsageSample[], room: RoomSample | null): void {
    this.db.transaction(() => {
      for (const s of samples) this.insertSample.run({ ...s, online: s.online ? 1 : 0 });
      if (room) this.insertRoomRow.run(room);
    })();
  }

  /** Full-resolution samples since `since` (to rebuild fill-rate windows after a restart). */
  since(since: number): UsageSample[] {
    const rows = this.db
      .prepare(
        "SELECT machine_id AS machineId, at, used_sectors AS usedSectors, total_sectors AS totalSectors, state, online FROM usage_samples WHERE at >= ? ORDER BY at",
      )
      .all(since) as (Omit<UsageSample, "online"> & { online: number })[];
    return rows.map((r) => ({ ...r, online: r.online === 1 }));
  }

  /**
   * One PC's points between from and to, at most `maxPoints` of them: the range is cut into that many
   * equal slices and each slice with data is one point, folded in SQL so a 30-day read costs one
   * aggregate, not thousands of rows through JS and JSON. A slice keeps its highest use (a spike
   * survives) and its last total and state, at the time of its last sample.
   */
  series(machineId: number, from: number, to: number, maxPoints: number): UsagePoint[] {
    return this.db
      .prepare(
        `WITH pts AS (
           SELECT at, used_max AS used, total_last AS total, state FROM usage_buckets WHERE machine_id = @id AND at BETWEEN @from AND @to
           UNION ALL
           SELECT at, used_sectors, total_sectors, state FROM usage_samples WHERE machine_id = @id AND at BETWEEN @from AND @to),
         slices AS (SELECT CAST((at - @from) / @width AS INTEGER) AS k, MAX(used) AS used, MAX(at) AS last_at FROM pts GROUP BY k)
         SELECT s.last_at, s.used, MAX(p.total), MAX(p.state) FROM slices s JOIN pts p ON p.at = s.last_at GROUP BY s.k ORDER BY s.last_at`,
      )
      .raw()
      .all({ id: machineId, from, to, width: sliceWidth(from, to, maxPoints) }) as UsagePoint[];
  }

  /** The newest point of each PC before `at` (where a chart's line starts). */
  before(machineId: number, at: number): UsagePoint | undefined {
    return this.db
      .prepare(
        `SELECT at, used, total, state FROM (
           SELECT at, used_last AS used, total_last AS total, state FROM usage_buckets WHERE machine_id = @id AND at < @at
           UNION ALL SELECT at, used_sectors, total_sectors, state FROM usage_samples WHERE machine_id = @id AND at < @at)
         ORDER BY at DESC LIMIT 1`,
      )
      .raw()
      .get({ id: machineId, at }) as UsagePoint | undefined;
  }

  /** The room's points between from and to, at most `maxPoints`: per slice the highest use, total and PCs online, the lowest free space. */
  roomSeries(from: number, to: number, maxPoints: number): RoomPoint[] {
    return this.db
      .prepare(
        `SELECT MAX(at), MAX(used_sectors), MAX(total_sectors), MAX(online), MIN(free_bytes) FROM room_samples WHERE at BETWEEN @from AND @to
         GROUP BY CAST((at - @from) / @width AS INTEGER) ORDER BY 1`,
      )
      .raw()
      .all({ from, to, width: sliceWidth(from, to, maxPoints) }) as RoomPoint[];
  }

  /**
   * Folds samples older than `cutoff` into 5-minute buckets (highest and last numbers, last state),
   * room rows likewise, and deletes what was folded. Idempotent; a bucket folded in two runs merges.
   */
  fold(cutoff: number): { samples: number; room: number } {
    return this.db.transaction(() => {
      const samples = this.db
        .prepare(
          `WITH g AS (
             SELECT machine_id, (at / ${BUCKET_MS}) * ${BUCKET_MS} AS bucket, MAX(used_sectors) AS used_max, MAX(at) AS last_at
             FROM usage_samples WHERE at < @cutoff GROUP BY machine_id, bucket)
           INSERT INTO usage_buckets (machine_id, at, used_max, used_last, total_last, state)
           SELECT g.machine_id, g.bucket, g.used_max, s.used_sectors, s.total_sectors, s.state
           FROM g JOIN usage_samples s ON s.machine_id = g.machine_id AND s.at = g.last_at WHERE true
           ON CONFLICT (machine_id, at) DO UPDATE SET
             used_max = MAX(COALESCE(usage_buckets.used_max, excluded.used_max), COALESCE(excluded.used_max, usage_buckets.used_max)),
             used_last = excluded.used_last, total_last = excluded.total_last, state = excluded.state`,
        )
        .run({ cutoff }).changes;
      this.db.prepare("DELETE FROM usage_samples WHERE at < ?").run(cutoff);
      const rows = this.db
        .prepare(
          `SELECT (at / ${BUCKET_MS}) * ${BUCKET_MS} AS bucket, MAX(used_sectors) AS used, MAX(total_sectors) AS total, MAX(machines) AS machines, MAX(online) AS online, MIN(free_bytes) AS free
           FROM room_samples WHERE at < @cutoff AND resolution = 'full' GROUP BY bucket`,
        )
        .all({ cutoff }) as { bucket: number; used: number; total: number; machines: number; online: number; free: number | null }[];
      this.db.prepare("DELETE FROM room_samples WHERE at < ? AND resolution = 'full'").run(cutoff);
      const put = this.db.prepare(
        `INSERT INTO room_samples (at, used_sectors, total_sectors, machines, online, free_bytes, resolution) VALUES (?, ?, ?, ?, ?, ?, 'bucket')
         ON CONFLICT (at) DO UPDATE SET used_sectors = MAX(used_sectors, excluded.used_sectors), total_sectors = MAX(total_sectors, excluded.total_sectors),
           online = MAX(online, excluded.online), free_bytes = MIN(COALESCE(free_bytes, excluded.free_bytes), COALESCE(excluded.free_bytes, free_bytes)), resolution = 'bucket'`,
      );
      for (const r of rows) put.run(r.bucket, r.used, r.total, r.machines, r.online, r.free);
      return { samples, room: rows.length };
    })();
  }

  /** Deletes buckets (and room rows) older than `before`. */
  prune(before: number): number {
    return this.db.transaction(
      () =>
        this.db.prepare("DELETE FROM usage_buckets WHERE at < ?").run(before).changes +
        this.db.prepare("DELETE FROM room_samples WHERE at < ?").run(before).changes,
    )();
  }

  counts(): { samples: number; buckets: number; room: number } {
    const n = (t: string) => this.db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number;
    return { samples: n("usage_samples"), buckets: n("usage_buckets"), room: n("room_samples") };
  }
}
