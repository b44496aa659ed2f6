import { json, route } from "@/lib/api/route";
import { SESSION_COOKIE } from "@/lib/auth/sessions";
import { clearedSessionCookie } from "@/lib/auth/login";

export const dynamic = "force-dynamic";

export const POST = route("user", async ({ req, rt, audit }) => {
  rt.sessions.destroy(req.cookies.get(SESSION_COOKIE)?.value);
  audit("logout", "ok");
  return json({ ok: true }, 200, { "set-cookie": clearedSessionCookie() });
});
