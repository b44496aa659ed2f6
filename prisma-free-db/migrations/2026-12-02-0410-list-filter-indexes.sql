-- The History and Events lists filtered by result, source, kind or severity page newest first: an
-- index per filter so a page (and its count) reads only the matching rows, not the whole table.
CREATE INDEX IF NOT EXISTS resets_result ON resets(result, started_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS resets_source ON resets(source, started_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS events_kind ON events(kind, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS events_severity ON events(severity, at DESC, id DESC);
