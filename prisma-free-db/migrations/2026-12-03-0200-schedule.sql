-- cowherd: rebuilds a table (foreign keys off while it runs)
-- Scheduled resets and clean-up (lib/schedule/): their resets are recorded with source 'schedule'.
-- SQLite cannot widen a CHECK in place, so the resets table is rebuilt with the same columns, rows
-- and indexes (boots.reset_id keeps pointing at it by name).
CREATE TABLE resets_new (
  id           INTEGER PRIMARY KEY,
  machine_id   INTEGER NOT NULL,
  machine_name TEXT NOT NULL,
  source       TEXT NOT NULL CHECK (source IN ('dashboard', 'bulk', 'boot', 'cli', 'legacy', 'schedule')),
  requested_by TEXT,
  batch_id     TEXT,
  started_at   INTEGER NOT NULL,
  ended_at     INTEGER,
  state_before TEXT,
  used_before  INTEGER,
  total_before INTEGER,
  result       TEXT NOT NULL DEFAULT 'running' CHECK (result IN ('running', 'ok', 'failed', 'interrupted')),
  outcome      TEXT,
  failed_step  TEXT,
  error        TEXT,
  steps        TEXT
);
INSERT INTO resets_new SELECT id, machine_id, machine_name, source, requested_by, batch_id, started_at, ended_at, state_before,
  used_before, total_before, result, outcome, failed_step, error, steps FROM resets;
DROP TABLE resets;
ALTER TABLE resets_new RENAME TO resets;
CREATE INDEX resets_started ON resets(started_at DESC, id DESC);
CREATE INDEX resets_machine ON resets(machine_id, started_at DESC);
CREATE INDEX resets_machine_latest ON resets(machine_id, id DESC);
CREATE INDEX resets_machine_ok ON resets(machine_id, machine_name, result, started_at DESC);
CREATE INDEX resets_source ON resets(source, started_at DESC, id DESC);
CREATE INDEX resets_result ON resets(result, started_at DESC, id DESC);
CREATE INDEX resets_ended ON resets(ended_at);

-- Each schedule rule's last run: the slot it ran for (a restart must not run a slot twice), when,
-- and what it did, shown on the Settings page. One row a rule, replaced at each run.
CREATE TABLE schedule_runs (
  rule     TEXT PRIMARY KEY,
  slot     INTEGER NOT NULL,
  ran_at   INTEGER NOT NULL,
  summary  TEXT NOT NULL,
  batch_id TEXT
);
