-- API tokens for scripts and the CLI: only a SHA-256 of the token is kept; shown once at creation.
CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  scope        TEXT NOT NULL CHECK (scope IN ('read', 'admin')),
  created_by   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);

-- Who did what, when, from where, with what outcome. Append-only: the triggers refuse changes.
CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  actor      TEXT,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'token', 'pc', 'system', 'anonymous')),
  address    TEXT,
  action     TEXT NOT NULL,
  target     TEXT,
  outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'denied')),
  detail     TEXT
);
CREATE INDEX audit_at ON audit_log(at DESC, id DESC);
CREATE INDEX audit_action ON audit_log(action, at DESC);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
