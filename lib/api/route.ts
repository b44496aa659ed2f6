import type { NextRequest } from "next/server";
import type { z } from "zod";
import { runtime, type Runtime } from "../runtime";
import { SESSION_COOKIE } from "../auth/sessions";
import type { User } from "../auth/users";
import { errors, isAppError } from "./errors";

export const PEER_HEADER = "x-cowherd-peer";
const MAX_BODY = 64 * 1024;

export interface Ctx {
  req: NextRequest;
  rt: Runtime;
  user: User | null;
  peer: string | null;
}

export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

export function errorResponse(e: unknown): Response {
  if (isAppError(e)) return json({ error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } }, e.status);
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

/** Reads a JSON body with a size cap; malformed JSON is a 400, never a 500. */
export async function readJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) throw errors.badRequest("Send the body as application/json");
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY) throw errors.badRequest(`Body larger than ${MAX_BODY} bytes`);
  const text = await req.text();
  if (text.length > MAX_BODY) throw errors.badRequest(`Body larger than ${MAX_BODY} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw errors.badRequest("Body is not valid JSON");
  }
  return parseWith(schema, value, "body");
}

type Auth = "none" | "user" | "admin";

/** Wraps a route: runtime, session, role check, and one error shape for everything thrown. */
export function route<P = Record<string, string>>(auth: Auth, fn: (ctx: Ctx, params: P) => Promise<Response>) {
  return async (req: NextRequest, context: { params: Promise<P> }): Promise<Response> => {
    try {
      const rt = await runtime();
      const user = rt.sessions.validate(req.cookies.get(SESSION_COOKIE)?.value) ?? null;
      if (auth !== "none" && !user) throw errors.unauthorized();
      if (auth === "admin" && user?.role !== "admin") throw errors.forbidden("Only admins can do this");
      return await fn({ req, rt, user, peer: req.headers.get(PEER_HEADER) }, await context.params);
    } catch (e) {
      return errorResponse(e);
    }
  };
}
