import { createHash, randomBytes } from "node:crypto";
import type Database from "better-sqlite3";

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
}

const COLUMNS = "id, name, scope, created_by AS createdBy, created_at AS createdAt, last_used_at AS lastUsedAt, revoked_at AS revokedAt";

export class TokenRepo {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns the secret once; only its hash is stored. */
  create(name: string, scope: TokenScope, createdBy: string): { token: string; row: TokenRow } {
    const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
    const info = this.db
      .prepare("INSERT INTO api_tokens (name, token_hash, scope, created_by, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(name, sha256(token), scope, createdBy, this.now());
    return { token, row: this.get(Number(info.lastInsertRowid))! };
  }

  get(id: number): TokenRow | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM api_tokens WHERE id = ?`).get(id) as TokenRow | undefined;
  }

  list(): TokenRow[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM api_tokens ORDER BY id DESC`).all() as TokenRow[];
  }

  /** The token's row when it is valid (not revoked), recording its use. */
  validate(token: string): TokenRow | undefined {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`).get(sha256(token)) as TokenRow | undefined;
    if (row) this.db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(this.now(), row.id);
    return row;
  }

  revoke(id: number): boolean {
    return this.db.prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(this.now(), id).changes > 0;
  }
}
