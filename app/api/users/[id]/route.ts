import { errors, json, parseWith, readJson, route, type Runtime } from "@cowherd/core";
import { idParam, updateUserBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

function apply(rt: Runtime, id: number, change: Parameters<Runtime["users"]["update"]>[1]) {
  const r = rt.users.update(id, change);
  if (r === "not-found") throw errors.notFound(`No user with id ${id}`);
  if (r === "last-admin") throw errors.conflict("last_admin", "At least one admin must remain");
}

export const PATCH = route<{ id: string }>("admin", async ({ req, rt, audit }, params) => {
  const id = parseWith(idParam, params.id, "user id");
  const body = await readJson(req, updateUserBody);
  const user = rt.users.get(id);
  if (!user) throw errors.notFound(`No user with id ${id}`);
  if (body.role && body.role !== user.role) {
    apply(rt, id, { role: body.role });
    audit("user.role", "ok", user.username, `${user.role} → ${body.role}`);
  }
  if (body.password) {
    await rt.users.setPassword(user.username, body.password);
    const revoked = body.revokeTokens ? rt.tokens.revokeAllOf(id) : 0;
    audit("user.password", "ok", user.username, body.revokeTokens ? `sessions ended, ${revoked} API token(s) revoked` : "sessions ended");
  }
  return json({ user: rt.users.get(id) });
});

export const DELETE = route<{ id: string }>("admin", async ({ rt, audit }, params) => {
  const id = parseWith(idParam, params.id, "user id");
  const user = rt.users.get(id);
  const tokens = rt.tokens.list().filter((t) => t.ownerId === id && t.revokedAt === null).length;
  apply(rt, id, { delete: true });
  audit("user.delete", "ok", user?.username ?? String(id), tokens ? `${tokens} API token(s) revoked` : null);
  return json({ ok: true });
});
