import { json, readJson, route } from "@/lib/api/route";
import { login, sessionCookie } from "@/lib/auth/login";
import { loginBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

export const POST = route("none", async ({ req, rt }) => {
  const body = await readJson(req, loginBody);
  const { token, user } = await login(rt, body.username, body.password);
  return json({ user }, 200, { "set-cookie": sessionCookie(token, rt, req.nextUrl.protocol === "https:") });
});
