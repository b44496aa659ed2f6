-- Game disks (config groups[].gameDisk): a reset may be of one of a PC's disks. NULL: every disk
-- it has (every row from before game disks), 'system' or 'game': that one only.
ALTER TABLE resets ADD COLUMN disk TEXT CHECK (disk IS NULL OR disk IN ('system', 'game'));
