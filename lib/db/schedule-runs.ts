import type Database from "better-sqlite3";

/** A schedule rule's last run (lib/schedule/): the slot it ran for, when, and what it did. */
export interface ScheduleRun {
  rule: string;
  /** The daily rule: the time of day it ran for (ms); the others: when they ran. */
  slot: number;
  ranAt: number;
  summary: string;
  /** The reset job it started, if any (its rows are in the history with this batch id). */
  batchId: string | null;
}

/** One row a rule, replaced at each run: enough to never run a daily slot twice, across restarts. */
export class ScheduleRunRepo {
  constructor(private readonly db: Database.Database) {}

  last(rule: string): ScheduleRun | undefined {
    return this.db.prepare("SELECT rule, slot, ran_at AS ranAt, summary, batch_id AS batchId FROM schedule_runs WHERE rule = ?").get(rule) as
      | ScheduleRun
      | undefined;
  }

  record(run: ScheduleRun): void {
    this.db
      .prepare(
        "INSERT INTO schedule_runs (rule, slot, ran_at, summary, batch_id) VALUES (@rule, @slot, @ranAt, @summary, @batchId) ON CONFLICT (rule) DO UPDATE SET slot = excluded.slot, ran_at = excluded.ran_at, summary = excluded.summary, batch_id = excluded.batch_id",
      )
      .run(run);
  }
}
