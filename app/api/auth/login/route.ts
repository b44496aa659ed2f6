import { AppError, DEVICE_COOKIE, SESSION_COOKIE, deviceCookie, json, login, readForm, readJson, route, sessionCookie, type Ctx } from "@cowherd/core";
import { loginBody } from "@/lib/validations/api";
import { safeReturnPath } from "@/lib/client/return-to";

export const dynamic = "force-dynamic";

/** Logs in; the cookies to set are the new session's and the known-device one. */
async function logIn(
  { req, rt, peer }: Ctx,
  username: string,
  password: string,
): Promise<{ user: { id: number; username: string; role: string }; cookies: string[] }> {
  const secure = req.nextUrl.protocol === "https:";
  const r = await login(rt, username, password, { address: peer, deviceToken: req.cookies.get(DEVICE_COOKIE)?.value });
  // A new session id on every login; the one the browser came with (if any) ends here.
  rt.sessions.destroy(req.cookies.get(SESSION_COOKIE)?.value);
  return { user: r.user, cookies: [sessionCookie(r.token, rt.config, secure), deviceCookie(r.deviceToken, rt.config, secure)] };
}

const setCookies = (cookies: string[]): [string, string][] => cookies.map((c) => ["set-cookie", c]);

/**
 * JSON for scripts and the login form once hydrated; a plain form POST (before the page's script
 * has loaded) gets a redirect back, so a password never ends up in a URL.
 */
export const POST = route("none", async (ctx) => {
  const { req } = ctx;
  const isForm = /^application\/x-www-form-urlencoded\b/i.test(req.headers.get("content-type") ?? "");
  if (isForm) {
    const form = await readForm(req);
    const body = loginBody.safeParse({ username: form.get("username") ?? "", password: form.get("password") ?? "" });
    try {
      if (!body.success) throw new Error("invalid form");
      const { cookies } = await logIn(ctx, body.data.username, body.data.password);
      return new Response(null, { status: 303, headers: [["location", safeReturnPath(form.get("next"))], ...setCookies(cookies)] });
    } catch (e) {
      const reason = e instanceof AppError && e.code === "rate_limited" ? "limited" : "wrong";
      const next = safeReturnPath(form.get("next"));
      return new Response(null, { status: 303, headers: { location: `/login?error=${reason}${next === "/" ? "" : `&next=${encodeURIComponent(next)}`}` } });
    }
  }
  const body = await readJson(req, loginBody);
  const { user, cookies } = await logIn(ctx, body.username, body.password);
  return json({ user }, 200, setCookies(cookies));
});
