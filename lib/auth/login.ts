import { errors } from "../api/errors";
import type { Runtime } from "../runtime";
import { verifyPassword } from "./password";
import { SESSION_COOKIE } from "./sessions";

// Verified against when the user does not exist, so timing does not reveal which names exist.
const DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

export async function login(rt: Runtime, username: string, password: string) {
  const user = rt.users.findByName(username);
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) throw errors.unauthorized("Wrong user name or password");
  return { token: rt.sessions.create(user.id), user: { id: user.id, username: user.username, role: user.role } };
}

export function sessionCookie(token: string, rt: Runtime, secure: boolean): string {
  const maxAge = rt.config.session.absoluteHours * 3600;
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
