-- PC groups (config `groups`): each group keeps its own master image versions on a host, so a
-- version's note and an image step name the group's line of versions: '' is the group whose master
-- is storage.master (every row from before groups is its), any other the group's name.
CREATE TABLE image_versions_new (
  host       TEXT NOT NULL,
  line       TEXT NOT NULL DEFAULT '',
  n          INTEGER NOT NULL,
  comment    TEXT,
  author     TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (host, line, n)
);
INSERT INTO image_versions_new (host, line, n, comment, author, created_at)
  SELECT host, '', n, comment, author, created_at FROM image_versions;
DROP TABLE image_versions;
ALTER TABLE image_versions_new RENAME TO image_versions;

ALTER TABLE image_log ADD COLUMN line TEXT NOT NULL DEFAULT '';
