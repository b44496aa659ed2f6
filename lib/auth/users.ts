import type { Env } from "../config/env";
import type Database from "better-sqlite3";
import { PASSWORD_MIN_LENGTH } from "../constants";
import { errors } from "../api/errors";
import { generatePassword, hashPassword } from "./password";

export type Role = "admin" | "viewer";

export interface User {
  id: number;
  username: string;
  role: Role;
}

export class UserRepo {
  constructor(private readonly db: Database.Database) {}

  count(): number {
    return this.db.prepare("SELECT COUNT(*) FROM users").pluck().get() as number;
  }

  findByName(username: string): (User & { passwordHash: string }) | undefined {
    return this.db.prepare("SELECT id, username, role, password_hash AS passwordHash FROM users WHERE username = ?").get(username) as
      | (User & { passwordHash: string })
      | undefined;
  }

  /** Adds a user; a name taken meanwhile (two requests racing past a lookup) is a 409, not a 500. */
  async create(username: string, password: string, role: Role): Promise<User> {
    const hash = await hashPassword(password);
    try {
      const info = this.db.prepare("INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)").run(username, hash, role, Date.now());
      return { id: Number(info.lastInsertRowid), username, role };
    } catch (e) {
      if ((e as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") throw errors.conflict("user_exists", `User ${username} already exists`);
      throw e;
    }
  }

  list(): (User & { createdAt: number })[] {
    return this.db.prepare("SELECT id, username, role, created_at AS createdAt FROM users ORDER BY username").all() as (User & { createdAt: number })[];
  }

  get(id: number): User | undefined {
    return this.db.prepare("SELECT id, username, role FROM users WHERE id = ?").get(id) as User | undefined;
  }

  /** Changes a role or removes a user, refusing to leave the system without an admin. */
  update(id: number, change: { role: Role } | { delete: true }): "ok" | "not-found" | "last-admin" {
    return this.db.transaction(() => {
      const user = this.get(id);
      if (!user) return "not-found" as const;
      const admins = this.db.prepare("SELECT COUNT(*) FROM users WHERE role = 'admin'").pluck().get() as number;
      const demotes = user.role === "admin" && ("delete" in change || change.role !== "admin");
      if (demotes && admins <= 1) return "last-admin" as const;
      if ("delete" in change) {
        // Its API tokens die with it (owner_id would become NULL anyway; revoked shows why in Settings).
        this.db.prepare("UPDATE api_tokens SET revoked_at = ? WHERE owner_id = ? AND revoked_at IS NULL").run(Date.now(), id);
        this.db.prepare("DELETE FROM users WHERE id = ?").run(id);
      } else {
        this.db.prepare("UPDATE users SET role = ? WHERE id = ?").run(change.role, id);
        this.db.prepare("DELETE FROM sessions WHERE user_id = ?").run(id); // new rights take effect at next login
      }
      return "ok" as const;
    })();
  }

  async setPassword(username: string, password: string): Promise<boolean> {
    const hash = await hashPassword(password);
    const user = this.findByName(username);
    if (!user) return false;
    this.db.transaction(() => {
      this.db.prepare("UPDATE users SET password_hash = ? WHERE id = ?").run(hash, user.id);
      this.db.prepare("DELETE FROM sessions WHERE user_id = ?").run(user.id);
    })();
    return true;
  }
}

/**
 * First start: create `admin` with COWHERD_ADMIN_PASSWORD, or a generated password printed once.
 * Returns the generated password (null when none was generated).
 */
export async function ensureAdmin(users: UserRepo, env: Env, log: (line: string) => void): Promise<string | null> {
  if (users.count() > 0) return null;
  const fromEnv = env.COWHERD_ADMIN_PASSWORD;
  if (fromEnv !== undefined && fromEnv.length < PASSWORD_MIN_LENGTH)
    throw new Error(`COWHERD_ADMIN_PASSWORD must be at least ${PASSWORD_MIN_LENGTH} characters`);
  const password = fromEnv ?? generatePassword();
  await users.create("admin", password, "admin");
  if (fromEnv) {
    log("cowherd: created user 'admin' with the password from COWHERD_ADMIN_PASSWORD");
    return null;
  }
  log("cowherd: ────────────────────────────────────────────────────────────");
  log("cowherd: created user 'admin'. Its password, shown this once:");
  log(`cowherd:     ${password}`);
  log("cowherd: change it with: npm run cowherd -- passwd admin");
  log("cowherd: ────────────────────────────────────────────────────────────");
  return password;
}
