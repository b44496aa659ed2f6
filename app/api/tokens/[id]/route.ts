import { errors, json, parseWith, route } from "@cowherd/core";
import { idParam } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

export const DELETE = route<{ id: string }>("admin", async ({ rt, audit }, params) => {
  const id = parseWith(idParam, params.id, "token id");
  const row = rt.tokens.get(id);
  if (!row) throw errors.notFound(`No token with id ${id}`);
  if (!rt.tokens.revoke(id)) throw errors.conflict("already_revoked", `Token ${row.name} is already revoked`);
  audit("token.revoke", "ok", row.name);
  return json({ ok: true });
});
