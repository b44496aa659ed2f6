-- Master image versions: what the storage hosts cannot hold (they take plain numbers only), namely
-- each version's comment and author, and a log of every image step (update, publish, discard, make
-- current, delete) with who, which version, its comment and how it ended.
CREATE TABLE image_versions (
  host       TEXT NOT NULL,
  n          INTEGER NOT NULL,
  comment    TEXT,
  author     TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (host, n)
);

CREATE TABLE image_log (
  id          INTEGER PRIMARY KEY,
  host        TEXT NOT NULL,
  action      TEXT NOT NULL CHECK (action IN ('update', 'publish', 'discard', 'current', 'delete')),
  -- The version it concerns (an update's draft number is known once its copy has started).
  n           INTEGER,
  -- The update PC, for an update.
  machine_id  INTEGER,
  actor       TEXT,
  comment     TEXT,
  started_at  INTEGER NOT NULL,
  ended_at    INTEGER,
  result      TEXT NOT NULL DEFAULT 'running' CHECK (result IN ('running', 'ok', 'failed', 'refused', 'interrupted')),
  error       TEXT
);
CREATE INDEX image_log_started ON image_log(started_at DESC, id DESC);
