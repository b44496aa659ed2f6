import type { NextRequest } from "next/server";
import type { z } from "zod";
import { runtime, type Runtime } from "../runtime";
import { SESSION_COOKIE } from "../auth/sessions";
import type { Role } from "../auth/users";
import type { ActorKind, AuditOutcome } from "../db/audit";
import { normalizeIp } from "../net/client-address";
import { readCappedText } from "./body";
import { isAllowedOrigin } from "./origin";
import { AppError, errors } from "./errors";
import { RepeatedParamError, singleValuedParams } from "../validations/search-params";
import type { Config } from "../config/schema";

export const PEER_HEADER = "x-cowherd-peer";

/** Who is asking: a logged-in user (cookie) or an API token (Authorization: Bearer). */
export interface Principal {
  kind: "user" | "token";
  /** The session's user id, or the token's id. */
  id: number;
  /** The user acting: the session's user, or the token's owner. */
  userId: number;
  name: string;
  /** For a token: its scope capped by its owner's current role. */
  role: Role;
}

export interface Ctx {
  req: NextRequest;
  rt: Runtime;
  principal: Principal | null;
  peer: string | null;
  audit(action: string, outcome: AuditOutcome, target?: string | null, detail?: string | null): void;
}

export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  const h = new Headers(headers); // a list of pairs may carry several set-cookie
  if (!h.has("content-type")) h.set("content-type", "application/json; charset=utf-8");
  if (!h.has("cache-control")) h.set("cache-control", "no-store");
  return new Response(JSON.stringify(body), { status, headers: h });
}

export function errorResponse(e: unknown): Response {
  if (e instanceof AppError) {
    const headers: Record<string, string> = {};
    if (e.code === "rate_limited" && typeof e.details === "object" && e.details && "retryAfterSeconds" in e.details) {
      headers["retry-after"] = String((e.details as { retryAfterSeconds: number }).retryAfterSeconds);
    }
    return json({ error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } }, e.status, headers);
  }
  console.error("cowherd: unhandled error in route:", e);
  return json({ error: { code: "internal", message: "Internal error (logged on the server)" } }, 500);
}

export function zodMessage(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues.map((i) => (i.path.length ? `${i.path.map(String).join(".")}: ${i.message}` : i.message)).join("; ");
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw errors.badRequest(`Invalid ${what}: ${zodMessage(r.error.issues)}`);
  return r.data;
}

/** A request's query through a schema: a parameter given twice is a 400 (lib/validations/search-params.ts). */
export function parseQuery<S extends z.ZodType>(schema: S, req: NextRequest): z.output<S> {
  let params: Record<string, string>;
  try {
    params = singleValuedParams(req.nextUrl.searchParams);
  } catch (e) {
    if (e instanceof RepeatedParamError) throw errors.badRequest(`Invalid query: ${e.message}`);
    throw e;
  }
  return parseWith(schema, params, "query");
}

/** Reads a JSON body under the size cap (lib/api/body.ts); malformed JSON is a 400, never a 500. */
export async function readJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) throw errors.badRequest("Send the body as application/json");
  const text = await readCappedText(req);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw errors.badRequest("Body is not valid JSON");
  }
  return parseWith(schema, value, "body");
}

/** Like readJson, for a body that may be left out: no body at all (and no content type) is `{}`. */
export async function readOptionalJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  // No body at all (fetch sends Content-Length: 0, curl -X POST neither header); Next hands routes a
  // body stream even then, so the headers decide.
  const h = req.headers;
  const empty = !h.get("content-type") && (h.get("content-length") === "0" || (!h.has("content-length") && !h.has("transfer-encoding")));
  if (empty || (!h.get("content-type") && !req.body)) return parseWith(schema, {}, "body");
  return readJson(req, schema);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF and DNS rebinding: a state-changing request must come from an allowed origin (Origin, else
 * Referer; see lib/api/origin.ts, which never trusts the Host header). Requests carrying neither
 * are non-browser clients; they may only act with a Bearer token.
 */
function originVerdict(req: NextRequest, config: Config): "same" | "cross" | "none" {
  const source = req.headers.get("origin") || req.headers.get("referer");
  if (!source) return "none";
  return isAllowedOrigin(source, config) ? "same" : "cross";
}

function authenticate(req: NextRequest, rt: Pick<Runtime, "tokens" | "sessions">): Principal | null {
  const authz = req.headers.get("authorization");
  if (authz) {
    const m = /^Bearer\s+(\S+)$/i.exec(authz);
    const valid = m ? rt.tokens.validate(m[1]!) : undefined;
    if (!valid) throw errors.unauthorized("Invalid or revoked API token (or its owner no longer exists)");
    return { kind: "token", id: valid.row.id, userId: valid.ownerId, name: `token:${valid.row.name}`, role: valid.role };
  }
  const user = rt.sessions.validate(req.cookies.get(SESSION_COOKIE)?.value);
  return user ? { kind: "user", id: user.id, userId: user.id, name: user.username, role: user.role } : null;
}

type Auth = "none" | "user" | "admin";

/** Wraps a route: runtime, CSRF, principal, role check, audit helper, one error shape for everything thrown. */
export function route<P = Record<string, string>>(auth: Auth, fn: (ctx: Ctx, params: P) => Promise<Response>) {
  return async (req: NextRequest, context: { params: Promise<P> }): Promise<Response> => {
    let rt: Runtime | undefined;
    const peer = normalizeIp(req.headers.get(PEER_HEADER));
    let principal: Principal | null = null;
    const entry = (action: string, outcome: AuditOutcome, target: string | null, detail: string | null) => ({
      actor: principal?.name ?? null,
      actorKind: (principal?.kind ?? "anonymous") as ActorKind,
      address: peer,
      action,
      target,
      outcome,
      detail,
    });
    const audit = (action: string, outcome: AuditOutcome, target: string | null = null, detail: string | null = null) =>
      rt?.audit.record(entry(action, outcome, target, detail));
    // Refusals a client can repeat at will: one row per source per minute (lib/db/audit.ts).
    const refused = (action: string, target: string, detail: string | null = null) => rt?.audit.recordRepeated(entry(action, "denied", target, detail));
    try {
      rt = await runtime();
      principal = authenticate(req, rt);
      if (!SAFE_METHODS.has(req.method)) {
        const verdict = originVerdict(req, rt.config);
        if (verdict === "cross" || (verdict === "none" && principal?.kind !== "token" && auth !== "none")) {
          refused("csrf.refused", req.nextUrl.pathname, req.headers.get("origin") ?? req.headers.get("referer") ?? "no Origin/Referer");
          throw errors.forbidden(
            "Cross-origin request refused: open Cowherd at localhost, 127.0.0.1 or one of this machine's IP addresses, or add the address you use to allowedOrigins",
          );
        }
      }
      if (auth !== "none" && !principal) throw errors.unauthorized();
      if (auth === "admin" && principal?.role !== "admin") {
        refused("access.denied", `${req.method} ${req.nextUrl.pathname}`);
        throw errors.forbidden("Only admins can do this");
      }
      return await fn({ req, rt, principal, peer, audit }, await context.params);
    } catch (e) {
      return errorResponse(e);
    }
  };
}
