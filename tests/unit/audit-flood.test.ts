import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as usersPost } from "@/app/api/users/route";
import { GET as usersGet } from "@/app/api/users/route";
import { POST as loginPost } from "@/app/api/auth/login/route";
import { AUDIT_LIMITS, AuditRepo } from "@/lib/db/audit";
import { createRuntime } from "@/lib/runtime";
import { call } from "../helpers/routes";
import { testRuntime } from "../helpers/runtime";

const DAY = 86_400_000;
let ctx: Awaited<ReturnType<typeof testRuntime>>;
beforeEach(async () => {
  ctx = await testRuntime();
});
afterEach(() => ctx.cleanup());

const rows = (action?: string) => ctx.rt.audit.list({ action, page: 1, pageSize: 200 }).rows;

describe("audit flood", () => {
  it("1000 cross-origin POSTs in parallel with 10 KB paths and Origins: two short rows that count them all", async () => {
    const origin = `http://evil.example/${"o".repeat(10_000)}`;
    const url = `/api/users/${"p".repeat(10_000)}`;
    const answers = await Promise.all(
      Array.from({ length: 1000 }, () => call(usersPost, { url, body: {}, headers: { origin, "x-cowherd-peer": "10.0.0.66" } })),
    );
    expect(answers.every((a) => a.status === 403)).toBe(true);
    ctx.rt.audit.flush(true);
    const refused = rows("csrf.refused");
    expect(refused).toHaveLength(2);
    expect(refused.reduce((n, r) => n + r.count, 0)).toBe(1000);
    expect(refused.map((r) => r.count).sort((a, b) => a - b)).toEqual([1, 999]);
    for (const r of refused) {
      expect(r.target!.length).toBeLessThanOrEqual(AUDIT_LIMITS.target);
      expect(r.detail!.length).toBeLessThanOrEqual(AUDIT_LIMITS.detail);
      expect(r.address).toBe("10.0.0.66");
    }
    expect(statSync(path.join(ctx.rt.dataDir, "cowherd.sqlite")).size + statSync(path.join(ctx.rt.dataDir, "cowherd.sqlite-wal")).size).toBeLessThan(2_000_000);
  });

  it("denied admin actions and rate-limited logins are aggregated per source per minute too", async () => {
    await call(usersPost, { body: { username: "watcher", password: "watcher-password", role: "viewer" }, cookie: await adminCookieFor() });
    const viewer = (await call(loginPost, { body: { username: "watcher", password: "watcher-password" } })).headers.get("set-cookie")!.split(";")[0]!;
    await Promise.all(Array.from({ length: 50 }, () => call(usersGet, { cookie: viewer, headers: { "x-cowherd-peer": "10.0.0.5" } })));
    for (let i = 0; i < 5; i++) await call(loginPost, { body: { username: "admin", password: `x${i}` }, headers: { "x-cowherd-peer": "10.0.0.7" } });
    await Promise.all(
      Array.from({ length: 60 }, () => call(loginPost, { body: { username: "admin", password: "x" }, headers: { "x-cowherd-peer": "10.0.0.7" } })),
    );
    ctx.rt.audit.flush(true);
    expect(rows("access.denied").map((r) => r.count)).toEqual([49, 1]);
    const limited = rows("login").filter((r) => r.outcome === "denied");
    expect(limited.map((r) => r.count)).toEqual([59, 1]);
  });

  it("one row per source per minute: a new minute, a new address or another user starts a new row", () => {
    let now = Date.UTC(2026, 10, 26, 12, 0, 0);
    const audit = new AuditRepo(ctx.rt.db, () => now);
    const refuse = (address: string, actor: string | null = null) =>
      audit.recordRepeated({
        actor,
        actorKind: actor ? "user" : "anonymous",
        address,
        action: "csrf.refused",
        outcome: "denied",
        target: "/api/x",
        detail: "http://evil.example",
      });
    for (let i = 0; i < 30; i++) refuse("10.0.0.1");
    for (let i = 0; i < 30; i++) refuse("2001:db8::1:" + i.toString(16)); // one /64
    for (let i = 0; i < 5; i++) refuse("10.0.0.2", "alice"), refuse("10.0.0.2", "bob");
    now += 61_000;
    audit.flush(); // the scheduler's job: the minute is over
    for (let i = 0; i < 10; i++) refuse("10.0.0.1");
    audit.flush(true);
    const got = rows("csrf.refused")
      .map((r) => `${r.address ?? "-"} ${r.actor ?? "-"} ×${r.count}`)
      .sort();
    expect(got).toEqual([
      "10.0.0.1 - ×1",
      "10.0.0.1 - ×1",
      "10.0.0.1 - ×29",
      "10.0.0.1 - ×9",
      "10.0.0.2 alice ×1",
      "10.0.0.2 alice ×4",
      "10.0.0.2 bob ×1",
      "10.0.0.2 bob ×4",
      "2001:db8::1:0 - ×1",
      "2001:db8::1:1 - ×29",
    ]);
  });

  it("stores at most the field limits and no control characters", () => {
    ctx.rt.audit.record({
      actor: "a".repeat(500),
      actorKind: "anonymous",
      address: "1".repeat(500),
      action: "x".repeat(100),
      target: "t\r\n".repeat(500),
      outcome: "ok",
      detail: "d".repeat(5000),
    });
    const r = rows()[0]!;
    expect(r.actor!.length).toBe(AUDIT_LIMITS.actor);
    expect(r.address!.length).toBe(AUDIT_LIMITS.address);
    expect(r.action.length).toBe(AUDIT_LIMITS.action);
    expect(r.target!.length).toBe(AUDIT_LIMITS.target);
    expect(r.target).not.toMatch(/[\r\n]/);
    expect(r.detail!.length).toBe(AUDIT_LIMITS.detail);
  });
});

describe("audit retention", () => {
  function recordAt(at: number, action: string) {
    new AuditRepo(ctx.rt.db, () => at).record({ actor: null, actorKind: "system", address: null, action, outcome: "ok" });
  }

  it("the scheduler's delete removes rows past the retention; the trigger refuses younger ones and any update", () => {
    expect(ctx.rt.audit.retentionDays()).toBe(180);
    recordAt(Date.now() - 200 * DAY, "old.one");
    recordAt(Date.now() - 181 * DAY, "old.two");
    recordAt(Date.now() - 179 * DAY, "young.one");
    expect(ctx.rt.audit.deleteExpired()).toBe(2);
    expect(rows().map((r) => r.action)).toContain("young.one");
    expect(rows().map((r) => r.action)).not.toContain("old.one");
    expect(() => ctx.rt.db.prepare("DELETE FROM audit_log WHERE action = 'young.one'").run()).toThrow(/append-only/);
    expect(() => ctx.rt.db.prepare("DELETE FROM audit_log").run()).toThrow(/append-only/);
    expect(() => ctx.rt.db.prepare("UPDATE audit_log SET detail = 'x'").run()).toThrow(/append-only/);
    // Even a row past the retention cannot be changed, only deleted.
    recordAt(Date.now() - 300 * DAY, "ancient");
    expect(() => ctx.rt.db.prepare("UPDATE audit_log SET outcome = 'failed' WHERE action = 'ancient'").run()).toThrow(/append-only/);
    expect(() => ctx.rt.db.prepare("DELETE FROM audit_settings").run()).toThrow(/keeps its row/);
  });

  it("the trigger enforces the configured age, and a change of it is recorded; expired rows go at start", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cowherd-retention-"));
    const config = path.join(dir, "config.json");
    writeFileSync(config, JSON.stringify({ machines: [{ id: 1, name: "pc1", ip: "127.0.0.41", dmName: "retrocow1" }], audit: { retentionDays: 2 } }));
    const env = { COWHERD_DATA_DIR: dir, COWHERD_CONFIG: config, COWHERD_ADMIN_PASSWORD: "x".repeat(12), COWHERD_SIM_ACTIVITY: "0" };
    const rt = await createRuntime(env, () => undefined);
    expect(rt.audit.retentionDays()).toBe(2);
    expect(rt.audit.list({ action: "audit.retention", page: 1, pageSize: 5 }).rows[0]).toMatchObject({ detail: "180 → 2 days (audit.retentionDays)" });
    new AuditRepo(rt.db, () => Date.now() - 3 * DAY).record({ actor: null, actorKind: "system", address: null, action: "three.days", outcome: "ok" });
    new AuditRepo(rt.db, () => Date.now() - DAY).record({ actor: null, actorKind: "system", address: null, action: "one.day", outcome: "ok" });
    expect(() => rt.db.prepare("DELETE FROM audit_log WHERE action = 'one.day'").run()).toThrow(/append-only/);
    rt.close();
    const again = await createRuntime(env, () => undefined);
    const actions = again.audit.actions();
    expect(actions).not.toContain("three.days");
    expect(actions).toContain("one.day");
    again.close();
  });
});

async function adminCookieFor(): Promise<string> {
  const r = await call(loginPost, { body: { username: "admin", password: "test-admin-password" } });
  return r.headers.get("set-cookie")!.split(";")[0]!;
}
