import { json, readJson, route } from "@cowherd/core";
import { createTokenBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

export const GET = route("admin", async ({ rt }) => json({ tokens: rt.tokens.list() }));

/** The secret is in this response only; the database keeps its hash. */
export const POST = route("admin", async ({ req, rt, principal, audit }) => {
  const body = await readJson(req, createTokenBody);
  // Owned by the acting user (a token's owner when a token creates one): it can never do more than they can.
  const { token, row } = rt.tokens.create(body.name, body.scope, principal!.name, principal!.userId);
  audit("token.create", "ok", row.name, `scope ${row.scope}`);
  return json({ token, info: row }, 201);
});
