import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type Database from "better-sqlite3";

const NAME = /^\d{4}-\d{2}-\d{2}-\d{4}-[a-z0-9-]+\.sql$/;

/**
 * A migration whose first line is this rebuilds a table other tables point at (SQLite cannot change
 * a CHECK in place). SQLite's own procedure (https://sqlite.org/lang_altertable.html, "other kinds
 * of table schema changes"): foreign keys off around the transaction (the pragma is a no-op inside
 * one), and every reference checked before it commits.
 */
const REBUILD = "-- cowherd: rebuilds a table (foreign keys off while it runs)";

export function migrationsDir(): string {
  return process.env.COWHERD_MIGRATIONS_DIR ?? path.join(/*turbopackIgnore: true*/ process.cwd(), "prisma-free-db", "migrations");
}

export function migrate(db: Database.Database, dir = migrationsDir()): string[] {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
  const files = readdirSync(/*turbopackIgnore: true*/ dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  const bad = files.filter((f) => !NAME.test(f));
  if (bad.length) throw new Error(`Bad migration file names in ${dir}: ${bad.join(", ")} (want YYYY-MM-DD-NNNN-name.sql)`);
  const done = new Set(db.prepare("SELECT name FROM schema_migrations").pluck().all() as string[]);
  const applied: string[] = [];
  for (const file of files) {
    if (done.has(file)) continue;
    const sql = readFileSync(/*turbopackIgnore: true*/ path.join(dir, file), "utf8");
    const rebuild = sql.startsWith(REBUILD);
    if (rebuild) db.pragma("foreign_keys = OFF");
    try {
      db.transaction(() => {
        db.exec(sql);
        if (rebuild) {
          const broken = db.pragma("foreign_key_check") as unknown[];
          if (broken.length) throw new Error(`Migration ${file} would leave ${broken.length} broken reference(s); not applied`);
        }
        db.prepare("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)").run(file, Date.now());
      })();
    } finally {
      if (rebuild) db.pragma("foreign_keys = ON");
    }
    applied.push(file);
  }
  return applied;
}
