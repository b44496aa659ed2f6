-- Users and sessions: the dashboard and every /api route require a session.
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'viewer')),
  created_at    INTEGER NOT NULL
);

-- Only a SHA-256 of the session token is stored, so a leaked database cannot log anyone in.
CREATE TABLE sessions (
  token_hash  TEXT PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- One row per reset, written when it starts and completed when it ends.
CREATE TABLE resets (
  id           INTEGER PRIMARY KEY,
  machine_id   INTEGER NOT NULL,
  machine_name TEXT NOT NULL,
  source       TEXT NOT NULL CHECK (source IN ('dashboard', 'bulk', 'boot', 'cli', 'legacy')),
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
CREATE INDEX resets_started ON resets(started_at DESC, id DESC);
CREATE INDEX resets_machine ON resets(machine_id, started_at DESC);
