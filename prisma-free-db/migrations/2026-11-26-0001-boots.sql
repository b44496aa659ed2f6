-- Boots through Cowherd's iPXE script: one row per boot attempt (the script fetched), completed when
-- the PC's iSCSI session appears (ok), when it reports a failure, or when it never logs in.
CREATE TABLE boots (
  id           INTEGER PRIMARY KEY,
  machine_id   INTEGER NOT NULL,
  machine_name TEXT NOT NULL,
  started_at   INTEGER NOT NULL,
  ended_at     INTEGER,
  result       TEXT NOT NULL DEFAULT 'booting' CHECK (result IN ('booting', 'ok', 'failed', 'returned')),
  -- Where it failed (sanboot, login timeout) and iPXE's own error, when it did.
  failed_step  TEXT,
  error        TEXT,
  -- The reset done before sanboot (a "reset at next boot"), if any.
  reset_id     INTEGER REFERENCES resets(id)
);
CREATE INDEX boots_machine ON boots(machine_id, started_at DESC);
CREATE INDEX boots_started ON boots(started_at DESC, id DESC);

-- "Reset at next boot": carried out by the PC's boot script before sanboot, then removed.
CREATE TABLE pending_resets (
  machine_id   INTEGER PRIMARY KEY,
  requested_by TEXT,
  requested_at INTEGER NOT NULL,
  -- Set when the boot-time reset failed: the PC booted its old disk and the request stays.
  last_error   TEXT
);
