import { createHash } from "node:crypto";
import { AppError, errors } from "../api/errors";
import { addressBlock, isTrustedProxy } from "../net/client-address";
import type { Runtime } from "../runtime";
import { DEVICE_COOKIE } from "./known-logins";
import { verifyPassword } from "./password";
import { SESSION_COOKIE } from "./sessions";
import type { Config } from "../config/schema";

// Verified against when the user does not exist, so timing does not reveal which names exist.
const DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

export interface LoginSource {
  /** The connection's address (the front's peer header). */
  address: string | null;
  /** The browser's known-device cookie, if it sent one. */
  deviceToken?: string;
}

/**
 * Checks a password under the login limits and records the attempt in the audit log.
 *
 * The account's counter is keyed by its password hash too: a new password (from Settings or the
 * shell's `passwd`) starts a fresh count, which lifts an account lock at once.
 */
export async function login(
  rt: Pick<Runtime, "config" | "users" | "knownLogins" | "limiter" | "audit" | "sessions">,
  username: string,
  password: string,
  from: LoginSource,
) {
  const { address } = from;
  const entry = { actor: username, actorKind: "anonymous" as const, address, action: "login" };
  const user = rt.users.findByName(username);
  const device = user ? rt.knownLogins.device(from.deviceToken, user.id) : undefined;
  const addressTrusted = !!user && !isTrustedProxy(address, rt.config.legacy.trustedProxies) && rt.knownLogins.addressKnown(address, user.id);
  const keys = {
    source: device ? `device:${device}` : `addr:${addressBlock(address) ?? "?"}`,
    account: `account:${username.toLowerCase()}:${user ? createHash("sha256").update(user.passwordHash).digest("hex").slice(0, 16) : ""}`,
  };
  const wait = rt.limiter.retryAfter(keys, !!device || addressTrusted);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    rt.audit.recordRepeated({ ...entry, outcome: "denied", detail: `rate limited for ${seconds} s` });
    throw new AppError("rate_limited", 429, `Too many failed logins: try again in ${seconds} s`, { retryAfterSeconds: seconds });
  }
  const attempt = rt.limiter.reserve(keys); // counted before the slow check, so parallel guesses cannot all pass
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) {
    rt.audit.record({ ...entry, outcome: "failed", detail: "wrong user name or password" });
    throw errors.unauthorized("Wrong user name or password");
  }
  attempt.succeeded();
  const deviceToken = rt.knownLogins.remember(user.id, from.deviceToken, isTrustedProxy(address, rt.config.legacy.trustedProxies) ? null : address);
  rt.audit.record({
    ...entry,
    actor: user.username,
    actorKind: "user",
    outcome: "ok",
    detail: device ? "known device" : addressTrusted ? "known address" : null,
  });
  return { token: rt.sessions.create(user.id), deviceToken, user: { id: user.id, username: user.username, role: user.role } };
}

export function sessionCookie(token: string, config: Pick<Config, "session">, secure: boolean): string {
  const maxAge = config.session.absoluteHours * 3600;
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;
}

/** Sent only to the login route: marks this browser as one its user has logged in from. */
export function deviceCookie(token: string, config: Pick<Config, "login">, secure: boolean): string {
  const maxAge = config.login.knownDeviceDays * 86_400;
  return `${DEVICE_COOKIE}=${token}; Path=/api/auth/login; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
