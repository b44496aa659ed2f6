import { AppError, errors } from "../api/errors";
import type { Runtime } from "../runtime";
import { verifyPassword } from "./password";
import { SESSION_COOKIE } from "./sessions";

// Verified against when the user does not exist, so timing does not reveal which names exist.
const DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/** Checks a password under the login rate limit and records the attempt in the audit log. */
export async function login(rt: Runtime, username: string, password: string, address: string | null) {
  const entry = { actor: username, actorKind: "anonymous" as const, address, action: "login" };
  const wait = rt.limiter.retryAfter(username, address);
  if (wait > 0) {
    rt.audit.record({ ...entry, outcome: "denied", detail: `rate limited for ${Math.ceil(wait / 1000)} s` });
    const seconds = Math.ceil(wait / 1000);
    throw new AppError("rate_limited", 429, `Too many failed logins: try again in ${seconds} s`, { retryAfterSeconds: seconds });
  }
  const user = rt.users.findByName(username);
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) {
    rt.limiter.failed(username, address);
    rt.audit.record({ ...entry, outcome: "failed", detail: "wrong user name or password" });
    throw errors.unauthorized("Wrong user name or password");
  }
  rt.limiter.succeeded(username, address);
  rt.audit.record({ ...entry, actor: user.username, actorKind: "user", outcome: "ok" });
  return { token: rt.sessions.create(user.id), user: { id: user.id, username: user.username, role: user.role } };
}

export function sessionCookie(token: string, rt: Runtime, secure: boolean): string {
  const maxAge = rt.config.session.absoluteHours * 3600;
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
