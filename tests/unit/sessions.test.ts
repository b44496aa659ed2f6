import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { migrate } from "@/lib/db/migrate";
import { SessionRepo } from "@/lib/auth/sessions";
import { UserRepo } from "@/lib/auth/users";
import { hashPassword, verifyPassword } from "@/lib/auth/password";

async function setup() {
  const db = new Database(":memory:");
  db.pragma("foreign_keys = ON");
  migrate(db);
  const user = await new UserRepo(db).create("alice", "alice-password", "admin");
  let now = 1_000_000;
  const sessions = new SessionRepo(db, { idleMs: 60 * 60_000, absoluteMs: 24 * 3_600_000 }, () => now);
  return { db, user, sessions, advance: (ms: number) => (now += ms) };
}

describe("sessions", () => {
  it("expire after the idle limit, and activity keeps them alive", async () => {
    const { sessions, advance } = await setup();
    const t = sessions.create(1);
    advance(50 * 60_000);
    expect(sessions.validate(t)?.username).toBe("alice");
    advance(50 * 60_000); // 100 min since creation, 50 since last use
    expect(sessions.validate(t)?.username).toBe("alice");
    advance(61 * 60_000);
    expect(sessions.validate(t)).toBeUndefined();
  });

  it("expire at the absolute limit however active", async () => {
    const { sessions, advance } = await setup();
    const t = sessions.create(1);
    for (let i = 0; i < 30; i++) {
      advance(50 * 60_000);
      if (i < 28) expect(sessions.validate(t)).toBeDefined();
    }
    expect(sessions.validate(t)).toBeUndefined();
  });

  it("store only a hash of the token", async () => {
    const { db, sessions } = await setup();
    const t = sessions.create(1);
    expect(db.prepare("SELECT token_hash FROM sessions").pluck().get()).not.toBe(t);
    expect(sessions.validate(t + "x")).toBeUndefined();
  });
});

describe("passwords", () => {
  it("scrypt hashes verify the right password only and are salted", async () => {
    const a = await hashPassword("correct horse");
    const b = await hashPassword("correct horse");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword("correct horse", a)).toBe(true);
    expect(await verifyPassword("correct horsf", a)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });
});
