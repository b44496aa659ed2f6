import { copyFileSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { GET as machinesGet } from "@/app/api/machines/route";
import { POST as resetPost } from "@/app/api/machines/[id]/reset/route";
import { POST as loginPost } from "@/app/api/auth/login/route";
import { POST as usersPost } from "@/app/api/users/route";
import { DELETE as userDelete, PATCH as userPatch } from "@/app/api/users/[id]/route";
import { POST as tokensPost } from "@/app/api/tokens/route";
import { migrate, migrationsDir } from "@/lib/db/migrate";
import { call, eachWithAdmin } from "../helpers/routes";

const setup = eachWithAdmin();

/** Creates an admin "ops" and an admin-scope token that ops made for itself. */
async function opsWithToken(): Promise<{ opsId: number; bearer: (t?: string) => Record<string, string>; token: string; ops: string }> {
  const created = await call(usersPost, { body: { username: "ops", password: "ops-password-1", role: "admin" }, cookie: setup.admin });
  const ops = (await call(loginPost, { body: { username: "ops", password: "ops-password-1" } })).headers.get("set-cookie")!.split(";")[0]!;
  const token = (await call(tokensPost, { body: { name: "ops script", scope: "admin" }, cookie: ops })).json.token as string;
  return { opsId: created.json.user.id, ops, token, bearer: (t = token) => ({ authorization: `Bearer ${t}`, origin: "" }) };
}

const resetWith = (headers: Record<string, string>) => call(resetPost, { method: "POST", params: { id: "1" }, headers });
const createUserWith = (headers: Record<string, string>, username: string) =>
  call(usersPost, { body: { username, password: "some-password-1", role: "admin" }, headers });
const patchUser = (id: number, body: unknown) => call(userPatch, { method: "PATCH", params: { id: String(id) }, body, cookie: setup.admin });

describe("API tokens act with at most their owner's current role", () => {
  it("demoting the owner demotes its admin token at once; promoting again restores it", async () => {
    const { opsId, bearer } = await opsWithToken();
    expect((await resetWith(bearer())).status).toBe(202);
    expect((await patchUser(opsId, { role: "viewer" })).status).toBe(200);
    expect((await resetWith(bearer())).status).toBe(403);
    expect((await createUserWith(bearer(), "mallory")).status).toBe(403);
    expect((await call(machinesGet, { headers: bearer() })).status).toBe(200); // a viewer may still read
    expect(setup.ctx.rt.audit.list({ action: "reset", page: 1, pageSize: 5 }).total).toBe(1); // one reset job accepted
    expect(setup.ctx.rt.users.findByName("mallory")).toBeUndefined();
    expect((await patchUser(opsId, { role: "admin" })).status).toBe(200);
    expect((await resetWith(bearer())).status).toBe(202);
  });

  it("deleting the owner revokes its tokens (and one a token made for it)", async () => {
    const { opsId, bearer } = await opsWithToken();
    const child = (await call(tokensPost, { body: { name: "made by a token", scope: "admin" }, headers: bearer() })).json;
    expect(child.info).toMatchObject({ createdBy: "token:ops script", ownerId: opsId, ownerName: "ops" });
    const r = await call(userDelete, { method: "DELETE", params: { id: String(opsId) }, cookie: setup.admin });
    expect(r.status).toBe(200);
    for (const t of [undefined, child.token]) {
      expect((await resetWith(bearer(t))).status).toBe(401);
      expect((await createUserWith(bearer(t), "mallory")).status).toBe(401);
    }
    expect(setup.hostCalls).not.toHaveBeenCalled();
    expect(setup.ctx.rt.tokens.list().every((t) => t.revokedAt !== null && t.ownerId === null)).toBe(true);
    expect(setup.ctx.rt.audit.list({ action: "user.delete", page: 1, pageSize: 1 }).rows[0]!.detail).toBe("2 API token(s) revoked");
  });

  it("a password change revokes the user's tokens when asked to, and only then", async () => {
    const { opsId, bearer } = await opsWithToken();
    expect((await patchUser(opsId, { password: "new-password-1" })).status).toBe(200);
    expect((await resetWith(bearer())).status).toBe(202);
    expect((await patchUser(opsId, { password: "new-password-2", revokeTokens: true })).status).toBe(200);
    expect((await resetWith(bearer())).status).toBe(401);
    expect(setup.ctx.rt.audit.list({ action: "user.password", page: 1, pageSize: 1 }).rows[0]!.detail).toBe("sessions ended, 1 API token(s) revoked");
    // The admin's own tokens were not touched.
    const mine = (await call(tokensPost, { body: { name: "mine", scope: "admin" }, cookie: setup.admin })).json.token;
    await patchUser(opsId, { password: "new-password-3", revokeTokens: true });
    expect((await resetWith(bearer(mine))).status).toBe(202);
    expect((await patchUser(opsId, { revokeTokens: true })).status).toBe(400);
  });
});

describe("token owner migration", () => {
  it("gives existing tokens their creator as owner (a token made by a token: that token's owner) and revokes those without one", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mig-"));
    const all = readdirSync(migrationsDir())
      .filter((f) => f.endsWith(".sql"))
      .sort();
    const before = all.filter((f) => f < "2026-11-26-0012");
    for (const f of before) copyFileSync(path.join(migrationsDir(), f), path.join(dir, f));
    const db = new Database(":memory:");
    migrate(db, dir);
    db.prepare("INSERT INTO users (id, username, password_hash, role, created_at) VALUES (7, 'Alice', 'x', 'admin', 0)").run();
    const tok = db.prepare("INSERT INTO api_tokens (name, token_hash, scope, created_by, created_at) VALUES (?, ?, 'admin', ?, 0)");
    tok.run("a", "h1", "alice");
    tok.run("b", "h2", "token:a");
    tok.run("c", "h3", "gone");
    tok.run("d", "h4", "token:b");
    for (const f of all) copyFileSync(path.join(migrationsDir(), f), path.join(dir, f));
    expect(migrate(db, dir)).toContain("2026-11-26-0012-token-owner.sql");
    const rows = db.prepare("SELECT name, owner_id AS ownerId, revoked_at IS NOT NULL AS revoked FROM api_tokens ORDER BY name").all();
    expect(rows).toEqual([
      { name: "a", ownerId: 7, revoked: 0 },
      { name: "b", ownerId: 7, revoked: 0 },
      { name: "c", ownerId: null, revoked: 1 },
      { name: "d", ownerId: 7, revoked: 0 },
    ]);
    db.close();
  });
});
