import { createHash, randomBytes } from "node:crypto";
import type Database from "better-sqlite3";
import type { User } from "./users";

export const SESSION_COOKIE = "cowherd_session";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

export class SessionRepo {
  constructor(
    private readonly db: Database.Database,
    private readonly limits: SessionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns the token for the cookie; only its hash is stored. */
  create(userId: number): string {
    const token = randomBytes(32).toString("base64url");
    const t = this.now();
    this.db.prepare("INSERT INTO sessions (token_hash, user_id, created_at, last_seen) VALUES (?, ?, ?, ?)").run(sha256(token), userId, t, t);
    return token;
  }

  /** The session's user, refreshing its idle timer; undefined for unknown or expired tokens. */
  validate(token: string | undefined): User | undefined {
    if (!token || token.length > 200) return undefined;
    const hash = sha256(token);
    const row = this.db
      .prepare(
        `SELECT s.created_at AS createdAt, s.last_seen AS lastSeen, u.id, u.username, u.role
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`,
      )
      .get(hash) as (User & { createdAt: number; lastSeen: number }) | undefined;
    if (!row) return undefined;
    const t = this.now();
    if (t - row.lastSeen > this.limits.idleMs || t - row.createdAt > this.limits.absoluteMs) {
      this.db.prepare("DELETE FROM sessions WHERE token_hash = ?").run(hash);
      return undefined;
    }
    // Cheap write-skipping: idle time only needs minute resolution.
    if (t - row.lastSeen > 60_000) this.db.prepare("UPDATE sessions SET last_seen = ? WHERE token_hash = ?").run(t, hash);
    return { id: row.id, username: row.username, role: row.role };
  }

  destroy(token: string | undefined): void {
    if (token) this.db.prepare("DELETE FROM sessions WHERE token_hash = ?").run(sha256(token));
  }

  destroyAllOf(userId: number): number {
    return this.db.prepare("DELETE FROM sessions WHERE user_id = ?").run(userId).changes;
  }

  prune(): number {
    const t = this.now();
    return this.db.prepare("DELETE FROM sessions WHERE last_seen < ? OR created_at < ?").run(t - this.limits.idleMs, t - this.limits.absoluteMs).changes;
  }
}
