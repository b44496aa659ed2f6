import type Database from "better-sqlite3";
import type { EventKind, Severity } from "../constants";

export interface EventRow {
  id: number;
  at: number;
  kind: EventKind;
  severity: Severity;
  machineId: number | null;
  machineName: string | null;
  host: string | null;
  message: string;
  detail: Record<string, unknown> | null;
  conditionKey: string | null;
  clearedAt: number | null;
}

export interface NewEvent {
  at: number;
  kind: EventKind;
  severity: Severity;
  machineId?: number | null;
  machineName?: string | null;
  host?: string | null;
  message: string;
  detail?: Record<string, unknown> | null;
  conditionKey?: string | null;
}

export interface EventQuery {
  machineId?: number;
  kind?: EventKind;
  severity?: Severity;
  /** Only conditions that are still open. */
  open?: boolean;
  page: number;
  pageSize: number;
}

const COLUMNS = `id, at, kind, severity, machine_id AS machineId, machine_name AS machineName, host, message, detail, condition_key AS conditionKey, cleared_at AS clearedAt`;
const toRow = (r: Omit<EventRow, "detail"> & { detail: string | null }): EventRow => ({
  ...r,
  detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
});

/** The events table: conditions (open until cleared) and single occurrences. */
export class EventRepo {
  constructor(private readonly db: Database.Database) {}

  insert(e: NewEvent): EventRow {
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO events (at, kind, severity, machine_id, machine_name, host, message, detail, condition_key)
           VALUES (@at, @kind, @severity, @machineId, @machineName, @host, @message, @detail, @conditionKey)`,
        )
        .run({ machineId: null, machineName: null, host: null, conditionKey: null, ...e, detail: e.detail ? JSON.stringify(e.detail) : null }).lastInsertRowid,
    );
    return this.get(id)!;
  }

  get(id: number): EventRow | undefined {
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE id = ?`).get(id) as Parameters<typeof toRow>[0] | undefined;
    return r && toRow(r);
  }

  /** Conditions still open (after a restart: what not to raise again). */
  open(): EventRow[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE condition_key IS NOT NULL AND cleared_at IS NULL`).all() as Parameters<typeof toRow>[0][]).map(
      toRow,
    );
  }

  clear(conditionKey: string, at: number): void {
    this.db.prepare("UPDATE events SET cleared_at = ? WHERE condition_key = ? AND cleared_at IS NULL").run(at, conditionKey);
  }

  list(q: EventQuery): { rows: EventRow[]; total: number } {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: q.pageSize, offset: (q.page - 1) * q.pageSize };
    if (q.machineId !== undefined) where.push("machine_id = @machineId"), (args.machineId = q.machineId);
    if (q.kind !== undefined) where.push("kind = @kind"), (args.kind = q.kind);
    if (q.severity !== undefined) where.push("severity = @severity"), (args.severity = q.severity);
    if (q.open) where.push("condition_key IS NOT NULL AND cleared_at IS NULL");
    const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const total = this.db.prepare(`SELECT COUNT(*) FROM events ${clause}`).pluck().get(args) as number;
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM events ${clause} ORDER BY at DESC, id DESC LIMIT @limit OFFSET @offset`).all(args) as Parameters<
      typeof toRow
    >[0][];
    return { rows: rows.map(toRow), total };
  }

  /** One PC's events between from and to, oldest first, the newest `limit` of them (the chart's markers). */
  forMachine(machineId: number, from: number, to: number, limit: number): EventRow[] {
    const rows = this.db
      .prepare(`SELECT * FROM (SELECT ${COLUMNS} FROM events WHERE machine_id = ? AND at BETWEEN ? AND ? ORDER BY at DESC, id DESC LIMIT ?) ORDER BY at, id`)
      .all(machineId, from, to, limit) as Parameters<typeof toRow>[0][];
    return rows.map(toRow);
  }

  /** Deletes events older than `before` (closed conditions and occurrences; open conditions stay). */
  prune(before: number): number {
    return this.db.prepare("DELETE FROM events WHERE at < ? AND NOT (condition_key IS NOT NULL AND cleared_at IS NULL)").run(before).changes;
  }

  countOpen(): Record<string, number> {
    const rows = this.db
      .prepare("SELECT severity, COUNT(*) AS n FROM events WHERE condition_key IS NOT NULL AND cleared_at IS NULL GROUP BY severity")
      .all() as { severity: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.severity, r.n]));
  }
}
