import type Database from "better-sqlite3";
import type { AlertTargetKind, Severity } from "../constants";

/** A notification target as Settings shows it: the secret itself never leaves the server. */
export interface AlertTarget {
  id: number;
  name: string;
  kind: AlertTargetKind;
  url: string;
  hasSecret: boolean;
  minSeverity: Severity;
  enabled: boolean;
  createdBy: string | null;
  createdAt: number;
  lastSentAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
}

export interface AlertTargetWithSecret extends AlertTarget {
  secret: string | null;
}

interface DbRow {
  id: number;
  name: string;
  kind: AlertTargetKind;
  url: string;
  secret: string | null;
  min_severity: Severity;
  enabled: number;
  created_by: string | null;
  created_at: number;
  last_sent_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
}

function toTarget(r: DbRow): AlertTargetWithSecret {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    url: r.url,
    secret: r.secret,
    hasSecret: !!r.secret,
    minSeverity: r.min_severity,
    enabled: r.enabled === 1,
    createdBy: r.created_by,
    createdAt: r.created_at,
    lastSentAt: r.last_sent_at,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
  };
}

/** A Discord webhook URL carries its token as the last path segment: shown masked, like any secret. */
export function maskUrl(kind: AlertTargetKind, url: string): string {
  return kind === "discord" ? url.replace(/\/[^/]+\/?$/, "/…") : url;
}

const withoutSecret = ({ secret: _secret, ...t }: AlertTargetWithSecret): AlertTarget => ({ ...t, url: maskUrl(t.kind, t.url) });

export class AlertTargetRepo {
  constructor(private readonly db: Database.Database) {}

  list(): AlertTarget[] {
    return (this.db.prepare("SELECT * FROM alert_targets ORDER BY id").all() as DbRow[]).map((r) => withoutSecret(toTarget(r)));
  }

  /** With secrets: for sending only. */
  enabled(): AlertTargetWithSecret[] {
    return (this.db.prepare("SELECT * FROM alert_targets WHERE enabled = 1 ORDER BY id").all() as DbRow[]).map(toTarget);
  }

  get(id: number): AlertTargetWithSecret | undefined {
    const r = this.db.prepare("SELECT * FROM alert_targets WHERE id = ?").get(id) as DbRow | undefined;
    return r && toTarget(r);
  }

  create(t: { name: string; kind: AlertTargetKind; url: string; secret: string | null; minSeverity: Severity; createdBy: string | null }, at: number): AlertTarget {
    const id = Number(
      this.db
        .prepare("INSERT INTO alert_targets (name, kind, url, secret, min_severity, created_by, created_at) VALUES (@name, @kind, @url, @secret, @minSeverity, @createdBy, @at)")
        .run({ ...t, at }).lastInsertRowid,
    );
    return withoutSecret(this.get(id)!);
  }

  /** Changes what is given; `secret: null` removes it, leaving it out keeps it. */
  update(id: number, p: { name?: string; url?: string; secret?: string | null; minSeverity?: Severity; enabled?: boolean }): AlertTarget | undefined {
    const cur = this.get(id);
    if (!cur) return undefined;
    this.db
      .prepare("UPDATE alert_targets SET name = @name, url = @url, secret = @secret, min_severity = @minSeverity, enabled = @enabled WHERE id = @id")
      .run({
        id,
        name: p.name ?? cur.name,
        url: p.url ?? cur.url,
        secret: p.secret === undefined ? cur.secret : p.secret,
        minSeverity: p.minSeverity ?? cur.minSeverity,
        enabled: (p.enabled ?? cur.enabled) ? 1 : 0,
      });
    return withoutSecret(this.get(id)!);
  }

  delete(id: number): boolean {
    return this.db.prepare("DELETE FROM alert_targets WHERE id = ?").run(id).changes > 0;
  }

  sent(id: number, at: number): void {
    this.db.prepare("UPDATE alert_targets SET last_sent_at = ?, last_error = NULL, last_error_at = NULL WHERE id = ?").run(at, id);
  }

  failed(id: number, at: number, error: string): void {
    this.db.prepare("UPDATE alert_targets SET last_error = ?, last_error_at = ? WHERE id = ?").run(error.slice(0, 300), at, id);
  }
}
