import { createHash, randomBytes } from "node:crypto";
import type Database from "better-sqlite3";
import type { Role } from "./users";

export type TokenScope = "read" | "admin";
export const TOKEN_PREFIX = "cwh_";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export interface TokenRow {
  id: number;
  name: string;
  scope: TokenScope;
  createdBy: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  ownerId: number | null;
  /** The owner's name and role now (null once the owner is deleted). */
  ownerName: string | null;
  ownerRole: Role | null;
}

/** A token in use: its row and the role it acts with — its scope, capped by its owner's current role. */
export interface ValidToken {
  row: TokenRow;
  ownerId: number;
  role: Role;
}

const COLUMNS = `t.id, t.name, t.scope, t.created_by AS createdBy, t.created_at AS createdAt, t.last_used_at AS lastUsedAt,
  t.revoked_at AS revokedAt, t.owner_id AS ownerId, u.username AS ownerName, u.role AS ownerRole`;
const FROM = "api_tokens t LEFT JOIN users u ON u.id = t.owner_id";

export class TokenRepo {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns the secret once; only its hash is stored. The token acts for `owner` (a user id). */
  create(name: string, scope: TokenScope, createdBy: string, ownerId: number): { token: string; row: TokenRow } {
    const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
    const info = this.db
      .prepare("INSERT INTO api_tokens (name, token_hash, scope, created_by, created_at, owner_id) VALUES (?, ?, ?, ?, ?, ?)")
      .run(name, sha256(token), scope, createdBy, this.now(), ownerId);
    return { token, row: this.get(Number(info.lastInsertRowid))! };
  }

  get(id: number): TokenRow | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM ${FROM} WHERE t.id = ?`).get(id) as TokenRow | undefined;
  }

  list(): TokenRow[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM ${FROM} ORDER BY t.id DESC`).all() as TokenRow[];
  }

  /**
   * A valid token (not revoked, owner still there) with the role it acts with now, recording its
   * use. The owner is looked up at every use, so demoting the owner demotes the token at once.
   */
  validate(token: string): ValidToken | undefined {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM ${FROM} WHERE t.token_hash = ? AND t.revoked_at IS NULL`).get(sha256(token)) as TokenRow | undefined;
    if (!row || row.ownerId === null || row.ownerRole === null) return undefined;
    this.db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(this.now(), row.id);
    return { row, ownerId: row.ownerId, role: row.scope === "admin" && row.ownerRole === "admin" ? "admin" : "viewer" };
  }

  revoke(id: number): boolean {
    return this.db.prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(this.now(), id).changes > 0;
  }

  /** Revokes every live token a user owns; returns how many. */
  revokeAllOf(userId: number): number {
    return this.db.prepare("UPDATE api_tokens SET revoked_at = ? WHERE owner_id = ? AND revoked_at IS NULL").run(this.now(), userId).changes;
  }
}
