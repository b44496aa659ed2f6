-- An API token acts for the user who owns it: with at most that user's CURRENT role (looked up at
-- each use) and not at all once the user is gone. created_by stays as the name that created it.
ALTER TABLE api_tokens ADD COLUMN owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
UPDATE api_tokens SET owner_id = (SELECT id FROM users WHERE users.username = api_tokens.created_by);
-- A token made with another token ("token:<name>") belongs to that token's owner (the newest token of
-- that name made before it), following chains of such tokens in id order.
UPDATE api_tokens SET owner_id = (
  SELECT t.owner_id FROM api_tokens t
  WHERE 'token:' || t.name = api_tokens.created_by AND t.id < api_tokens.id AND t.owner_id IS NOT NULL
  ORDER BY t.id DESC LIMIT 1
) WHERE owner_id IS NULL AND created_by LIKE 'token:%';
-- A token whose creator cannot be found (a deleted user) has no owner: it could never be used again,
-- so it is marked revoked.
UPDATE api_tokens SET revoked_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 WHERE owner_id IS NULL AND revoked_at IS NULL;
CREATE INDEX api_tokens_owner ON api_tokens(owner_id);
