import { clearedSessionCookie, errors, json, route } from "@cowherd/core";

export const dynamic = "force-dynamic";

/** Ends every session of the current user, on every browser. */
export const POST = route("user", async ({ rt, principal, audit }) => {
  if (principal!.kind !== "user") throw errors.badRequest("Tokens have no sessions; revoke the token instead");
  const n = rt.sessions.destroyAllOf(principal!.id);
  audit("logout.all", "ok", principal!.name, `${n} session(s) ended`);
  return json({ ended: n }, 200, { "set-cookie": clearedSessionCookie() });
});
