-- A boot is one row: requests the same PC repeats within a boot (its script fetched again, its failure
-- reported again) are counted on that row, not inserted.
ALTER TABLE boots ADD COLUMN repeats INTEGER NOT NULL DEFAULT 0;

-- Each PC's newest boot, kept by a trigger: the grid reads one row per PC (an O(PCs) lookup on every
-- room-watch tick and every /api/machines), however long the history is.
CREATE TABLE boots_latest (
  machine_id INTEGER PRIMARY KEY,
  boot_id    INTEGER NOT NULL
);
INSERT INTO boots_latest (machine_id, boot_id) SELECT machine_id, MAX(id) FROM boots GROUP BY machine_id;
CREATE TRIGGER boots_latest_insert AFTER INSERT ON boots BEGIN
  INSERT INTO boots_latest (machine_id, boot_id) VALUES (new.machine_id, new.id)
    ON CONFLICT (machine_id) DO UPDATE SET boot_id = excluded.boot_id WHERE excluded.boot_id > boots_latest.boot_id;
END;
