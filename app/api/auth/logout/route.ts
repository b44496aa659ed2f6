import { SESSION_COOKIE, clearedSessionCookie, json, route } from "@cowherd/core";

export const dynamic = "force-dynamic";

export const POST = route("user", async ({ req, rt, audit }) => {
  rt.sessions.destroy(req.cookies.get(SESSION_COOKIE)?.value);
  audit("logout", "ok");
  return json({ ok: true }, 200, { "set-cookie": clearedSessionCookie() });
});
