-- Usage over time: every PC's numbers from the shared status read. Full resolution (one row per PC
-- per usage.sampleSeconds while anything changes, at least one every 5 minutes) for usage.fullHours,
-- then folded into 5-minute buckets kept for usage.keepDays. The scheduler folds and prunes.
CREATE TABLE usage_samples (
  machine_id    INTEGER NOT NULL,
  at            INTEGER NOT NULL,
  used_sectors  INTEGER,
  total_sectors INTEGER,
  -- The kernel's state (ok, invalid, overflow, unknown, missing).
  state         TEXT NOT NULL,
  online        INTEGER NOT NULL DEFAULT 0 CHECK (online IN (0, 1)),
  PRIMARY KEY (machine_id, at)
) WITHOUT ROWID;
CREATE INDEX usage_samples_at ON usage_samples(at);

-- 5-minute buckets: the highest and the last numbers of the bucket, and its last state.
CREATE TABLE usage_buckets (
  machine_id    INTEGER NOT NULL,
  at            INTEGER NOT NULL,
  used_max      INTEGER,
  used_last     INTEGER,
  total_last    INTEGER,
  state         TEXT NOT NULL,
  PRIMARY KEY (machine_id, at)
) WITHOUT ROWID;
CREATE INDEX usage_buckets_at ON usage_buckets(at);

-- The whole room at each sample: the sum of every PC's used and total sectors, and the COW stores'
-- free space (summed over storage hosts).
CREATE TABLE room_samples (
  at            INTEGER PRIMARY KEY,
  used_sectors  INTEGER NOT NULL,
  total_sectors INTEGER NOT NULL,
  machines      INTEGER NOT NULL,
  online        INTEGER NOT NULL,
  free_bytes    INTEGER,
  resolution    TEXT NOT NULL DEFAULT 'full' CHECK (resolution IN ('full', 'bucket'))
);

-- What happened in the room: thresholds, projections, dead snapshots, boots, failed resets, hosts,
-- store space, growth. A condition (condition_key set) is open until it clears (cleared_at): one row,
-- and one notification, per PC per condition until then.
CREATE TABLE events (
  id            INTEGER PRIMARY KEY,
  at            INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  severity      TEXT NOT NULL CHECK (severity IN ('info', 'warn', 'danger')),
  machine_id    INTEGER,
  machine_name  TEXT,
  host          TEXT,
  message       TEXT NOT NULL,
  detail        TEXT,
  condition_key TEXT,
  cleared_at    INTEGER
);
CREATE INDEX events_at ON events(at DESC, id DESC);
CREATE INDEX events_machine ON events(machine_id, at DESC);
CREATE UNIQUE INDEX events_open ON events(condition_key) WHERE condition_key IS NOT NULL AND cleared_at IS NULL;

-- Where notifications go: a generic JSON webhook, ntfy or a Discord webhook. The secret (ntfy's or a
-- webhook's bearer token) is only ever sent, never shown again.
CREATE TABLE alert_targets (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('webhook', 'ntfy', 'discord')),
  url           TEXT NOT NULL,
  secret        TEXT,
  min_severity  TEXT NOT NULL DEFAULT 'warn' CHECK (min_severity IN ('info', 'warn', 'danger')),
  enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_by    TEXT,
  created_at    INTEGER NOT NULL,
  last_sent_at  INTEGER,
  last_error    TEXT,
  last_error_at INTEGER
);

-- Failed resets are found by when they ended.
CREATE INDEX resets_ended ON resets(ended_at);
