-- Each PC's last reset and last good reset are read on every look at the room (the grid, the room
-- watch's tick): one index seek a PC, whatever the length of the history.
CREATE INDEX IF NOT EXISTS resets_machine_latest ON resets(machine_id, id DESC);
CREATE INDEX IF NOT EXISTS resets_machine_ok ON resets(machine_id, machine_name, result, started_at DESC);
