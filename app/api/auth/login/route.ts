import { json, readJson, route } from "@/lib/api/route";
import { login, sessionCookie } from "@/lib/auth/login";
import { SESSION_COOKIE } from "@/lib/auth/sessions";
import { loginBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

export const POST = route("none", async ({ req, rt, peer }) => {
  const body = await readJson(req, loginBody);
  const { token, user } = await login(rt, body.username, body.password, peer);
  // A new session id on every login; the one the browser came with (if any) ends here.
  rt.sessions.destroy(req.cookies.get(SESSION_COOKIE)?.value);
  return json({ user }, 200, { "set-cookie": sessionCookie(token, rt, req.nextUrl.protocol === "https:") });
});
