import type { DiskKind } from "../config/schema";
import type Database from "better-sqlite3";
import type { StepRecord } from "../host/types";

import type { ResetResult, ResetSource } from "../constants";

export interface ResetRow {
  id: number;
  machineId: number;
  machineName: string;
  source: ResetSource;
  requestedBy: string | null;
  batchId: string | null;
  startedAt: number;
  endedAt: number | null;
  stateBefore: string | null;
  usedBefore: number | null;
  totalBefore: number | null;
  result: ResetResult;
  outcome: string | null;
  failedStep: string | null;
  error: string | null;
  steps: StepRecord[];
  durationMs: number | null;
  /** Which of its disks: null = every disk it has; "system" or "game" = that one only. */
  disk: DiskKind | null;
}

interface DbRow {
  id: number;
  machine_id: number;
  machine_name: string;
  source: ResetSource;
  requested_by: string | null;
  batch_id: string | null;
  started_at: number;
  ended_at: number | null;
  state_before: string | null;
  used_before: number | null;
  total_before: number | null;
  result: ResetResult;
  outcome: string | null;
  failed_step: string | null;
  error: string | null;
  steps: string | null;
  disk: DiskKind | null;
}

function toRow(r: DbRow): ResetRow {
  return {
    id: r.id,
    machineId: r.machine_id,
    machineName: r.machine_name,
    source: r.source,
    requestedBy: r.requested_by,
    batchId: r.batch_id,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    stateBefore: r.state_before,
    usedBefore: r.used_before,
    totalBefore: r.total_before,
    result: r.result,
    outcome: r.outcome,
    failedStep: r.failed_step,
    error: r.error,
    steps: r.steps ? (JSON.parse(r.steps) as StepRecord[]) : [],
    durationMs: r.ended_at === null ? null : r.ended_at - r.started_at,
    disk: r.disk ?? null,
  };
}

export interface HistoryQuery {
  machineId?: number;
  result?: ResetResult;
  source?: ResetSource;
  page: number;
  pageSize: number;
}

export class HistoryRepo {
  private readonly insert;
  private readonly complete;
  private readonly lastPerMachine;
  private readonly lastOf;
  private readonly lastOkPerMachine;
  private readonly lastOfMachine;
  private readonly lastOkOfMachine;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO resets (machine_id, machine_name, source, requested_by, batch_id, started_at, state_before, used_before, total_before, disk)
       VALUES (@machineId, @machineName, @source, @requestedBy, @batchId, @startedAt, @stateBefore, @usedBefore, @totalBefore, @disk)`,
    );
    this.complete = db.prepare(
      `UPDATE resets SET ended_at = @endedAt, result = @result, outcome = @outcome, failed_step = @failedStep, error = @error, steps = @steps
       WHERE id = @id AND result = 'running'`,
    );
    this.lastPerMachine = db.prepare(`SELECT r.* FROM resets r JOIN (SELECT machine_id, MAX(id) AS id FROM resets GROUP BY machine_id) last ON last.id = r.id`);
    this.lastOkPerMachine = db.prepare(
      `SELECT machine_id AS id, machine_name AS name, MAX(started_at) AS at FROM resets WHERE result = 'ok' GROUP BY machine_id, machine_name`,
    );
    // On every look at the room: one indexed lookup a PC (resets_machine_latest), never a scan of the history.
    this.lastOfMachine = db.prepare(`SELECT * FROM resets WHERE machine_id = ? ORDER BY id DESC LIMIT 1`);
    this.lastOkOfMachine = db.prepare(
      `SELECT started_at AS at FROM resets WHERE machine_id = ? AND machine_name = ? AND result = 'ok' ORDER BY started_at DESC LIMIT 1`,
    );
    this.lastOf = db.prepare(`SELECT * FROM resets WHERE machine_id = ? AND source = ? ORDER BY id DESC LIMIT 1`);
  }

  start(row: {
    machineId: number;
    machineName: string;
    source: ResetSource;
    requestedBy: string | null;
    batchId: string | null;
    startedAt: number;
    stateBefore: string | null;
    usedBefore: number | null;
    totalBefore: number | null;
    disk?: DiskKind | null;
  }): number {
    return Number(this.insert.run({ ...row, disk: row.disk ?? null }).lastInsertRowid);
  }

  finish(
    id: number,
    r: { endedAt: number; result: "ok" | "failed"; outcome: string | null; failedStep: string | null; error: string | null; steps: StepRecord[] },
  ): void {
    this.complete.run({ id, ...r, steps: JSON.stringify(r.steps) });
  }

  /**
   * A reset whose host answered only after the app had given up on it: its row (failed, outcome
   * unknown) gets the host's answer. False when the row is not such a row (nothing changed).
   */
  reconcile(
    id: number,
    r: { endedAt: number; result: "ok" | "failed"; outcome: string | null; failedStep: string | null; error: string | null; steps: StepRecord[] },
  ): boolean {
    return (
      this.db
        .prepare(
          `UPDATE resets SET ended_at = @endedAt, result = @result, outcome = @outcome, failed_step = @failedStep, error = @error, steps = @steps
           WHERE id = @id AND result = 'failed' AND outcome = 'unknown'`,
        )
        .run({ id, ...r, steps: JSON.stringify(r.steps) }).changes > 0
    );
  }

  /** Rows left 'running' by a process that died mid-reset. */
  markInterrupted(now: number): number {
    return this.db
      .prepare(`UPDATE resets SET result = 'interrupted', ended_at = ?, error = 'Cowherd stopped while this reset was running' WHERE result = 'running'`)
      .run(now).changes;
  }

  get(id: number): ResetRow | undefined {
    const r = this.db.prepare("SELECT * FROM resets WHERE id = ?").get(id) as DbRow | undefined;
    return r && toRow(r);
  }

  /** Each PC's last reset: of the given PCs (an indexed lookup each), or of every PC in the history. */
  latestByMachine(ids?: Iterable<number>): Map<number, ResetRow> {
    if (!ids) return new Map((this.lastPerMachine.all() as DbRow[]).map((r) => [r.machine_id, toRow(r)]));
    const out = new Map<number, ResetRow>();
    for (const id of ids) {
      const r = this.lastOfMachine.get(id) as DbRow | undefined;
      if (r) out.set(id, toRow(r));
    }
    return out;
  }

  /** Each PC's last good reset; with `names`, of those PCs only (an indexed lookup each), and only under the name each has now (not of another PC that had its id). */
  lastOkByMachine(names?: ReadonlyMap<number, string>): Map<number, number> {
    const out = new Map<number, number>();
    if (names) {
      for (const [id, name] of names) {
        const r = this.lastOkOfMachine.get(id, name) as { at: number } | undefined;
        if (r) out.set(id, r.at);
      }
      return out;
    }
    for (const r of this.lastOkPerMachine.all() as { id: number; name: string; at: number }[]) {
      if (r.at > (out.get(r.id) ?? -Infinity)) out.set(r.id, r.at);
    }
    return out;
  }

  /** The rows of one reset job (batch_id is the job id). */
  byBatch(batchId: string): ResetRow[] {
    return (this.db.prepare("SELECT * FROM resets WHERE batch_id = ? ORDER BY machine_id").all(batchId) as DbRow[]).map(toRow);
  }

  lastBySource(machineId: number, source: ResetSource): ResetRow | undefined {
    const r = this.lastOf.get(machineId, source) as DbRow | undefined;
    return r && toRow(r);
  }

  list(q: HistoryQuery): { rows: ResetRow[]; total: number } {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (q.machineId !== undefined) where.push("machine_id = @machineId"), (args.machineId = q.machineId);
    if (q.result !== undefined) where.push("result = @result"), (args.result = q.result);
    if (q.source !== undefined) where.push("source = @source"), (args.source = q.source);
    const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const total = this.db.prepare(`SELECT COUNT(*) FROM resets ${clause}`).pluck().get(args) as number;
    const rows = this.db
      .prepare(`SELECT * FROM resets ${clause} ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset`)
      .all({ ...args, limit: q.pageSize, offset: (q.page - 1) * q.pageSize }) as DbRow[];
    return { rows: rows.map(toRow), total };
  }

  /** One PC's resets that started between from and to, oldest first, the newest `limit` of them (a chart's markers). */
  between(machineId: number, from: number, to: number, limit: number): ResetRow[] {
    const rows = this.db
      .prepare("SELECT * FROM (SELECT * FROM resets WHERE machine_id = ? AND started_at BETWEEN ? AND ? ORDER BY started_at DESC LIMIT ?) ORDER BY started_at")
      .all(machineId, from, to, limit) as DbRow[];
    return rows.map(toRow);
  }

  /** Resets that ended failed after `at` (the events' "reset failed"). */
  failedSince(at: number): ResetRow[] {
    return (this.db.prepare("SELECT * FROM resets WHERE ended_at > ? AND result = 'failed' ORDER BY ended_at").all(at) as DbRow[]).map(toRow);
  }

  countsByResult(): Record<string, number> {
    const rows = this.db.prepare("SELECT result, COUNT(*) AS n FROM resets GROUP BY result").all() as { result: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.result, r.n]));
  }
}
