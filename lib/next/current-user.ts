import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { runtime, SESSION_COOKIE } from "@cowherd/core";
import type { User } from "../auth/users";
import { loginHref, PATH_HEADER } from "../client/return-to";

/** For server components: the logged-in user, or a redirect to the login page (which comes back here after). */
export async function requireUser(): Promise<User> {
  const rt = await runtime();
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const user = rt.sessions.validate(token);
  if (!user) redirect(loginHref((await headers()).get(PATH_HEADER)));
  return user;
}
