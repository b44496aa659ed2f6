-- Where each user has logged in successfully before: a browser's "known device" cookie (only its
-- SHA-256 is kept) or an address. A correct password from a known source gets past an account
-- lock that failed logins from elsewhere have set, so nobody can lock the owner out.
CREATE TABLE known_logins (
  user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind     TEXT NOT NULL CHECK (kind IN ('device', 'address')),
  value    TEXT NOT NULL,
  first_at INTEGER NOT NULL,
  last_at  INTEGER NOT NULL,
  PRIMARY KEY (kind, value, user_id)
);
CREATE INDEX known_logins_user ON known_logins(user_id, kind, last_at DESC);
