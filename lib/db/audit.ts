import type Database from "better-sqlite3";
import { addressBlock } from "../net/client-address";

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
  /** How many events this row stands for (repeated refusals within a minute: see recordRepeated). */
  count: number;
}

export interface AuditQuery {
  action?: string;
  actor?: string;
  outcome?: AuditOutcome;
  page: number;
  pageSize: number;
}

/** Longest stored text per field: a client controls paths, Origins and user names. */
export const AUDIT_LIMITS = { actor: 64, address: 64, action: 40, target: 200, detail: 300 } as const;

const DAY = 86_400_000;
const WINDOW_MS = 60_000;
/** Distinct sources tracked per minute; past that, repeats are counted under one "many sources" row. */
const MAX_SOURCES = 1_000;

function clip(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it replaces
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, "\ufffd");
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

interface Pending {
  window: number;
  sample: AuditEntry;
  count: number;
  lastAt: number;
}

/**
 * Append-only for content: this class has no update, and a SQLite trigger refuses any UPDATE. Rows
 * older than the retention period (audit_settings, from audit.retentionDays) may be deleted, by
 * `deleteExpired` from the scheduler; the delete trigger refuses anything younger.
 */
export class AuditRepo {
  private readonly insert;
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare(
      `INSERT INTO audit_log (at, actor, actor_kind, address, action, target, outcome, detail, count)
       VALUES (@at, @actor, @actorKind, @address, @action, @target, @outcome, @detail, @count)`,
    );
  }

  private write(e: AuditEntry, at: number, count: number): void {
    this.insert.run({
      at,
      actor: clip(e.actor, AUDIT_LIMITS.actor),
      actorKind: e.actorKind,
      address: clip(e.address, AUDIT_LIMITS.address),
      action: clip(e.action, AUDIT_LIMITS.action),
      target: clip(e.target, AUDIT_LIMITS.target),
      outcome: e.outcome,
      detail: clip(e.detail, AUDIT_LIMITS.detail),
      count,
    });
  }

  record(e: AuditEntry): void {
    this.write(e, this.now(), 1);
  }

  /**
   * For refusals a client can repeat at will (cross-origin POSTs, denied admin actions,
   * rate-limited logins): the first from a source in a minute is written at once, the rest of that
   * minute become one row with their count when the minute is over (flushed by the scheduler).
   * A source is an address (an IPv6 /64) plus, for logged-in callers, who they are.
   */
  recordRepeated(e: AuditEntry): void {
    const t = this.now();
    const window = Math.floor(t / WINDOW_MS);
    const who = e.actorKind === "user" || e.actorKind === "token" ? e.actor : "*";
    let key = `${e.action}|${e.outcome}|${addressBlock(e.address) ?? "-"}|${who}`;
    const known = this.pending.get(key);
    if (known && known.window === window) {
      if (known.count === 0) known.sample = e; // the row for the repeats shows the first repeat
      known.count++;
      known.lastAt = t;
      return;
    }
    if (known) this.flushOne(key, known);
    if (this.pending.size >= MAX_SOURCES) {
      key = `${e.action}|${e.outcome}|many`;
      const many = this.pending.get(key);
      if (many && many.window === window) {
        many.count++;
        many.lastAt = t;
        return;
      }
      if (many) this.flushOne(key, many);
      this.pending.set(key, {
        window,
        sample: { ...e, address: null, detail: `from many sources; first: ${e.address ?? "?"} ${e.detail ?? ""}` },
        count: 1,
        lastAt: t,
      });
      return;
    }
    this.write(e, t, 1);
    this.pending.set(key, { window, sample: e, count: 0, lastAt: t });
  }

  private flushOne(key: string, p: Pending): void {
    this.pending.delete(key);
    if (p.count > 0) this.write({ ...p.sample, detail: `repeated within the minute; ${p.sample.detail ?? ""}`.trim() }, p.lastAt, p.count);
  }

  /** Writes the counted repeats of every minute that is over (or of all, when closing). */
  flush(all = false): void {
    const window = Math.floor(this.now() / WINDOW_MS);
    this.db.transaction(() => {
      for (const [key, p] of this.pending) if (all || p.window < window) this.flushOne(key, p);
    })();
  }

  retentionDays(): number {
    return this.db.prepare("SELECT retention_days FROM audit_settings WHERE id = 1").pluck().get() as number;
  }

  /** Sets the retention the delete trigger enforces; a change is itself recorded. */
  setRetentionDays(days: number): void {
    const before = this.retentionDays();
    if (before === days) return;
    this.db.transaction(() => {
      this.db.prepare("UPDATE audit_settings SET retention_days = ? WHERE id = 1").run(days);
      this.record({
        actor: null,
        actorKind: "system",
        address: null,
        action: "audit.retention",
        outcome: "ok",
        detail: `${before} → ${days} days (audit.retentionDays)`,
      });
    })();
  }

  /** Deletes rows older than the retention period (a minute's margin for the trigger's clock). */
  deleteExpired(): number {
    return this.db.prepare("DELETE FROM audit_log WHERE at < ?").run(this.now() - this.retentionDays() * DAY - 60_000).changes;
  }

  list(q: AuditQuery): { rows: AuditRow[]; total: number } {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (q.action) where.push("action = @action"), (args.action = q.action);
    if (q.actor) where.push("actor = @actor"), (args.actor = q.actor);
    if (q.outcome) where.push("outcome = @outcome"), (args.outcome = q.outcome);
    const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const total = this.db.prepare(`SELECT COUNT(*) FROM audit_log ${clause}`).pluck().get(args) as number;
    const rows = this.db
      .prepare(
        `SELECT id, at, actor, actor_kind AS actorKind, address, action, target, outcome, detail, count FROM audit_log ${clause}
         ORDER BY at DESC, id DESC LIMIT @limit OFFSET @offset`,
      )
      .all({ ...args, limit: q.pageSize, offset: (q.page - 1) * q.pageSize }) as AuditRow[];
    return { rows, total };
  }

  actions(): string[] {
    return this.db.prepare("SELECT DISTINCT action FROM audit_log ORDER BY action").pluck().all() as string[];
  }
}
