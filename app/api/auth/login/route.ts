import { AppError, SESSION_COOKIE, json, login, readForm, readJson, route, sessionCookie } from "@cowherd/core";
import { loginBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/**
 * JSON for scripts and the login form once hydrated; a plain form POST (before the page's script
 * has loaded) gets a redirect back, so a password never ends up in a URL.
 */
export const POST = route("none", async (ctx) => {
  const { req, rt, peer } = ctx;
  const isForm = /^application\/x-www-form-urlencoded\b/i.test(req.headers.get("content-type") ?? "");
  const secure = req.nextUrl.protocol === "https:";
  if (isForm) {
    const form = await readForm(req);
    const body = loginBody.safeParse({ username: String(form.get("username") ?? ""), password: String(form.get("password") ?? "") });
    try {
      if (!body.success) throw new Error("invalid form");
      const { token } = await login(rt, body.data.username, body.data.password, peer);
      rt.sessions.destroy(req.cookies.get(SESSION_COOKIE)?.value);
      return new Response(null, { status: 303, headers: { location: "/", "set-cookie": sessionCookie(token, rt, secure) } });
    } catch (e) {
      const reason = e instanceof AppError && e.code === "rate_limited" ? "limited" : "wrong";
      return new Response(null, { status: 303, headers: { location: `/login?error=${reason}` } });
    }
  }
  const body = await readJson(req, loginBody);
  const { token, user } = await login(rt, body.username, body.password, peer);
  // A new session id on every login; the one the browser came with (if any) ends here.
  rt.sessions.destroy(req.cookies.get(SESSION_COOKIE)?.value);
  return json({ user }, 200, { "set-cookie": sessionCookie(token, rt, secure) });
});
