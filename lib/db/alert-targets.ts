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

const MASK = "…";
/** A path segment that reads like a key rather than a word: long, letters and digits mixed (Slack's and Home Assistant's webhook ids, tokens). */
const looksSecret = (seg: string) => seg.length >= 16 && /[0-9]/.test(seg) && /[A-Za-z]/.test(seg);
const decoded = (seg: string) => {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
};

/**
 * A target's URL as Settings shows it: every part that can carry a secret masked. Whatever the kind:
 * user:password, every query value (names kept: `?token=…`) and the fragment. Then by kind: a
 * Discord URL's token (the segment after `webhooks/{id}/`, also in its `/slack` and `/github`
 * forms), an ntfy topic (on a public server whoever knows the topic reads it), and in a generic
 * webhook's path any segment that reads like a key.
 */
export function maskUrl(kind: AlertTargetKind, url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return MASK; // not a URL we can take apart: show none of it
  }
  const segs = u.pathname.split("/");
  const last = segs.findLastIndex((x) => x !== "");
  const byKind = (i: number) => (kind === "discord" ? segs[i - 2] === "webhooks" : kind === "ntfy" ? i === last : false);
  const masked = segs.map((seg, i) => (seg !== "" && (byKind(i) || looksSecret(decoded(seg))) ? MASK : seg));
  const auth = u.username || u.password ? `${MASK}@` : "";
  const query = [...u.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=${MASK}`).join("&");
  return `${u.protocol}//${auth}${u.host}${masked.join("/")}${query ? `?${query}` : ""}${u.hash ? `#${MASK}` : ""}`;
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

  create(
    t: { name: string; kind: AlertTargetKind; url: string; secret: string | null; minSeverity: Severity; createdBy: string | null },
    at: number,
  ): AlertTarget {
    const id = Number(
      this.db
        .prepare(
          "INSERT INTO alert_targets (name, kind, url, secret, min_severity, created_by, created_at) VALUES (@name, @kind, @url, @secret, @minSeverity, @createdBy, @at)",
        )
        .run({ ...t, at }).lastInsertRowid,
    );
    return withoutSecret(this.get(id)!);
  }

  /** Changes what is given; `secret: null` removes it, leaving it out keeps it. */
  update(id: number, p: { name?: string; url?: string; secret?: string | null; minSeverity?: Severity; enabled?: boolean }): AlertTarget | undefined {
    const cur = this.get(id);
    if (!cur) return undefined;
    this.db.prepare("UPDATE alert_targets SET name = @name, url = @url, secret = @secret, min_severity = @minSeverity, enabled = @enabled WHERE id = @id").run({
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
