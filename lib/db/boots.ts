import type Database from "better-sqlite3";

export type BootResult = "booting" | "ok" | "failed" | "returned";

export interface BootRow {
  id: number;
  machineId: number;
  machineName: string;
  startedAt: number;
  endedAt: number | null;
  result: BootResult;
  failedStep: string | null;
  error: string | null;
  resetId: number | null;
  /** Requests of this boot after its first (script fetched again, failure reported again). */
  repeats: number;
}

const FIELDS = [
  ["id", "id"],
  ["machine_id", "machineId"],
  ["machine_name", "machineName"],
  ["started_at", "startedAt"],
  ["ended_at", "endedAt"],
  ["result", "result"],
  ["failed_step", "failedStep"],
  ["error", "error"],
  ["reset_id", "resetId"],
  ["repeats", "repeats"],
] as const;
const columns = (table = "") => FIELDS.map(([column, key]) => `${table}${column} AS ${key}`).join(", ");
const COLUMNS = columns();

export const LATEST_BY_MACHINE = `SELECT ${columns("b.")} FROM boots_latest l JOIN boots b ON b.id = l.boot_id`;

/** Boot attempts through the iPXE script, and "reset at next boot" requests. */
export class BootRepo {
  // Prepared once: a PC's every boot request runs these.
  private readonly latestOf;
  private readonly addRepeat;

  constructor(private readonly db: Database.Database) {
    this.latestOf = db.prepare(`${LATEST_BY_MACHINE} WHERE l.machine_id = ?`);
    this.addRepeat = db.prepare("UPDATE boots SET repeats = repeats + 1 WHERE id = ?");
  }

  start(machineId: number, machineName: string, at: number): number {
    // A boot the PC never finished (it was power-cycled) ends when the next one starts. Only its
    // newest boot can still be booting: each start ends the one before.
    const last = this.latest(machineId);
    if (last?.result === "booting") this.finish(last.id, { result: "failed", at, failedStep: "login", error: "booted again before logging in" });
    return Number(this.db.prepare("INSERT INTO boots (machine_id, machine_name, started_at) VALUES (?, ?, ?)").run(machineId, machineName, at).lastInsertRowid);
  }

  /** A request that belongs to a boot already recorded: counted on its row. */
  repeat(id: number): void {
    this.addRepeat.run(id);
  }

  /** One PC's newest boot (an indexed lookup through boots_latest). */
  latest(machineId: number): BootRow | undefined {
    return this.latestOf.get(machineId) as BootRow | undefined;
  }

  /** Deletes boots that started before `before`, except each PC's newest (its card says how that went). */
  prune(before: number): number {
    return this.db.prepare("DELETE FROM boots WHERE started_at < ? AND id NOT IN (SELECT boot_id FROM boots_latest)").run(before).changes;
  }

  finish(id: number, r: { result: Exclude<BootResult, "booting">; at: number; failedStep?: string | null; error?: string | null }): void {
    this.db
      .prepare("UPDATE boots SET result = @result, ended_at = @at, failed_step = @failedStep, error = @error WHERE id = @id")
      .run({ id, failedStep: null, error: null, ...r });
  }

  setReset(id: number, resetId: number): void {
    this.db.prepare("UPDATE boots SET reset_id = ? WHERE id = ?").run(resetId, id);
  }

  get(id: number): BootRow | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM boots WHERE id = ?`).get(id) as BootRow | undefined;
  }

  /** Each PC's newest boot: one row per PC, whatever the length of the history (read on every room-watch tick). */
  latestByMachine(): Map<number, BootRow> {
    const rows = this.db.prepare(LATEST_BY_MACHINE).all() as BootRow[];
    return new Map(rows.map((r) => [r.machineId, r]));
  }

  /** One PC's boots that started between from and to, oldest first (a chart's markers). */
  between(machineId: number, from: number, to: number): BootRow[] {
    return this.db
      .prepare(`SELECT ${COLUMNS} FROM boots WHERE machine_id = ? AND started_at BETWEEN ? AND ? ORDER BY started_at`)
      .all(machineId, from, to) as BootRow[];
  }

  list(q: { machineId?: number; page: number; pageSize: number }): { rows: BootRow[]; total: number } {
    const where = q.machineId !== undefined ? "WHERE machine_id = @machineId" : "";
    const args = { machineId: q.machineId, limit: q.pageSize, offset: (q.page - 1) * q.pageSize };
    const total = this.db.prepare(`SELECT COUNT(*) FROM boots ${where}`).pluck().get(args) as number;
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM boots ${where} ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset`).all(args) as BootRow[];
    return { rows, total };
  }

  // ── reset at next boot ──
  setPending(machineId: number, requestedBy: string | null, at: number): void {
    this.db
      .prepare(
        "INSERT INTO pending_resets (machine_id, requested_by, requested_at) VALUES (?, ?, ?) ON CONFLICT (machine_id) DO UPDATE SET requested_by = excluded.requested_by, requested_at = excluded.requested_at, last_error = NULL",
      )
      .run(machineId, requestedBy, at);
  }

  pending(): Map<number, { requestedBy: string | null; requestedAt: number; lastError: string | null }> {
    const rows = this.db
      .prepare("SELECT machine_id AS id, requested_by AS requestedBy, requested_at AS requestedAt, last_error AS lastError FROM pending_resets")
      .all() as {
      id: number;
      requestedBy: string | null;
      requestedAt: number;
      lastError: string | null;
    }[];
    return new Map(rows.map(({ id, ...r }) => [id, r]));
  }

  clearPending(machineId: number): boolean {
    return this.db.prepare("DELETE FROM pending_resets WHERE machine_id = ?").run(machineId).changes > 0;
  }

  pendingFailed(machineId: number, error: string): void {
    this.db.prepare("UPDATE pending_resets SET last_error = ? WHERE machine_id = ?").run(error, machineId);
  }
}
