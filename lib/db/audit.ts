import type Database from "better-sqlite3";

export type ActorKind = "user" | "token" | "pc" | "system" | "anonymous";
export type AuditOutcome = "ok" | "failed" | "denied";

export interface AuditEntry {
  actor: string | null;
  actorKind: ActorKind;
  address: string | null;
  action: string;
  target?: string | null;
  outcome: AuditOutcome;
  detail?: string | null;
}

export interface AuditRow extends Required<AuditEntry> {
  id: number;
  at: number;
}

export interface AuditQuery {
  action?: string;
  actor?: string;
  outcome?: AuditOutcome;
  page: number;
  pageSize: number;
}

/** Append-only by construction: this class has no update or delete, and SQLite triggers refuse them. */
export class AuditRepo {
  private readonly insert;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare(
      `INSERT INTO audit_log (at, actor, actor_kind, address, action, target, outcome, detail)
       VALUES (@at, @actor, @actorKind, @address, @action, @target, @outcome, @detail)`,
    );
  }

  record(e: AuditEntry): void {
    this.insert.run({ at: this.now(), ...e, target: e.target ?? null, detail: e.detail ? e.detail.slice(0, 2000) : null });
  }

  list(q: AuditQuery): { rows: AuditRow[]; total: number } {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (q.action) (where.push("action = @action"), (args.action = q.action));
    if (q.actor) (where.push("actor = @actor"), (args.actor = q.actor));
    if (q.outcome) (where.push("outcome = @outcome"), (args.outcome = q.outcome));
    const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const total = this.db.prepare(`SELECT COUNT(*) FROM audit_log ${clause}`).pluck().get(args) as number;
    const rows = this.db
      .prepare(
        `SELECT id, at, actor, actor_kind AS actorKind, address, action, target, outcome, detail FROM audit_log ${clause}
         ORDER BY at DESC, id DESC LIMIT @limit OFFSET @offset`,
      )
      .all({ ...args, limit: q.pageSize, offset: (q.page - 1) * q.pageSize }) as AuditRow[];
    return { rows, total };
  }

  actions(): string[] {
    return this.db.prepare("SELECT DISTINCT action FROM audit_log ORDER BY action").pluck().all() as string[];
  }
}
