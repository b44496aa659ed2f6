import { createHash, randomBytes } from "node:crypto";
import type Database from "better-sqlite3";

export const DEVICE_COOKIE = "cowherd_device";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const DAY = 86_400_000;
const DEVICES_PER_USER = 20;

export interface KnownLoginLimits {
  deviceDays: number;
  /** 0 turns address trust off. */
  addressDays: number;
}

/**
 * Where each user has logged in successfully before: browsers holding a "known device" cookie (only
 * its SHA-256 is stored) and addresses. A correct password from a known source gets past an
 * account lock that failed logins from elsewhere have set (lib/auth/login-limiter.ts).
 */
export class KnownLogins {
  constructor(
    private readonly db: Database.Database,
    private readonly limits: KnownLoginLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** The device behind a cookie, when it is a known device of this user: its id for rate limiting. */
  device(token: string | undefined, userId: number): string | undefined {
    if (!token || token.length > 200) return undefined;
    const hash = sha256(token);
    const seen = this.db
      .prepare("SELECT 1 FROM known_logins WHERE kind = 'device' AND value = ? AND user_id = ? AND last_at > ?")
      .get(hash, userId, this.now() - this.limits.deviceDays * DAY);
    return seen ? hash.slice(0, 32) : undefined;
  }

  addressKnown(address: string | null, userId: number): boolean {
    if (!address || this.limits.addressDays <= 0) return false;
    return !!this.db
      .prepare("SELECT 1 FROM known_logins WHERE kind = 'address' AND value = ? AND user_id = ? AND last_at > ?")
      .get(address, userId, this.now() - this.limits.addressDays * DAY);
  }

  /**
   * After a successful login: remembers the address (unless null) and the device, issuing a new
   * device token when the browser brought none that is valid for this user. Returns the token to
   * set as the cookie.
   */
  remember(userId: number, deviceToken: string | undefined, address: string | null): string {
    const t = this.now();
    const token = deviceToken && this.device(deviceToken, userId) ? deviceToken : randomBytes(32).toString("base64url");
    const upsert = this.db.prepare(
      `INSERT INTO known_logins (user_id, kind, value, first_at, last_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (kind, value, user_id) DO UPDATE SET last_at = excluded.last_at`,
    );
    this.db.transaction(() => {
      upsert.run(userId, "device", sha256(token), t, t);
      if (address && this.limits.addressDays > 0) upsert.run(userId, "address", address, t, t);
      // Scripts that log in without keeping cookies would add a device each time: keep the newest.
      this.db
        .prepare(
          `DELETE FROM known_logins WHERE kind = 'device' AND user_id = ? AND value NOT IN
           (SELECT value FROM known_logins WHERE kind = 'device' AND user_id = ? ORDER BY last_at DESC LIMIT ${DEVICES_PER_USER})`,
        )
        .run(userId, userId);
    })();
    return token;
  }

  prune(): number {
    const t = this.now();
    return this.db
      .prepare("DELETE FROM known_logins WHERE (kind = 'device' AND last_at < ?) OR (kind = 'address' AND last_at < ?)")
      .run(t - this.limits.deviceDays * DAY, t - Math.max(this.limits.addressDays, 0) * DAY).changes;
  }
}
