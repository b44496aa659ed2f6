-- Repeated refusals from one source in one minute (cross-origin POSTs, denied admin actions,
-- rate-limited logins) are stored as one row with their count instead of a row each.
ALTER TABLE audit_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1);

-- How long audit rows are kept, in the one row the delete trigger reads. Cowherd writes it at
-- start from audit.retentionDays (and records the change in the log); it cannot be removed.
CREATE TABLE audit_settings (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  retention_days INTEGER NOT NULL CHECK (retention_days >= 1)
);
INSERT INTO audit_settings (id, retention_days) VALUES (1, 180);
CREATE TRIGGER audit_settings_keep BEFORE DELETE ON audit_settings
BEGIN SELECT RAISE(ABORT, 'audit_settings keeps its row'); END;

-- Content stays append-only (audit_log_no_update is unchanged). A row may be deleted only once it
-- is older than the retention period, as SQLite's own clock sees it.
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_delete_only_expired BEFORE DELETE ON audit_log
WHEN OLD.at >= CAST(strftime('%s', 'now') AS INTEGER) * 1000
             - COALESCE((SELECT retention_days FROM audit_settings WHERE id = 1), 36500) * 86400000
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: rows younger than the retention period cannot be deleted'); END;
