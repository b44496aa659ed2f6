-- PCs an admin marked "keep": bulk resets, "Reset all before the event", scheduled resets and resets
-- at next boot leave them alone until the mark is removed (a single reset still works, confirmed).
-- Keyed by the PC's identity ("name ip", lib/config/room-identity.ts), not its id: a config that
-- renumbers the room keeps the mark on its PC, and an id given to another PC does not inherit it.
CREATE TABLE kept_pcs (
  pc       TEXT PRIMARY KEY,
  kept_by  TEXT,
  kept_at  INTEGER NOT NULL,
  -- What the admin keeps it for (an installer that reboots, a player's setup), shown on its card.
  reason   TEXT
);
