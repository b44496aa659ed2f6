import type Database from "better-sqlite3";

/** A "keep" mark: who set it, when, and why (free text, may be empty). */
export interface KeepMark {
  keptBy: string | null;
  keptAt: number;
  reason: string | null;
}

/** The "keep" marks, by PC identity ("name ip": see lib/config/room-identity.ts). */
export class KeepRepo {
  constructor(private readonly db: Database.Database) {}

  set(pc: string, mark: KeepMark): void {
    this.db
      .prepare(
        "INSERT INTO kept_pcs (pc, kept_by, kept_at, reason) VALUES (@pc, @keptBy, @keptAt, @reason) ON CONFLICT (pc) DO UPDATE SET kept_by = excluded.kept_by, kept_at = excluded.kept_at, reason = excluded.reason",
      )
      .run({ pc, ...mark });
  }

  clear(pc: string): boolean {
    return this.db.prepare("DELETE FROM kept_pcs WHERE pc = ?").run(pc).changes > 0;
  }

  all(): Map<string, KeepMark> {
    const rows = this.db.prepare("SELECT pc, kept_by AS keptBy, kept_at AS keptAt, reason FROM kept_pcs").all() as (KeepMark & { pc: string })[];
    return new Map(rows.map(({ pc, ...m }) => [pc, m]));
  }
}
