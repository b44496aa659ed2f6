import { NextRequest } from "next/server";
import { afterEach, beforeEach } from "vitest";
import { ADMIN_PASSWORD, spyOnResets, testRuntime } from "./runtime";
import { POST as loginPost } from "@/app/api/auth/login/route";

type Handler<P> = (req: NextRequest, ctx: { params: Promise<P> }) => Promise<Response>;

export interface CallOpts<P> {
  method?: string;
  url?: string;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  cookie?: string;
  params?: P;
  headers?: Record<string, string>;
}

export async function call<P = Record<string, string>>(handler: Handler<P>, o: CallOpts<P> = {}) {
  const headers = new Headers({
    host: "localhost:3000",
    ...(o.body !== undefined || o.rawBody !== undefined || (o.method && o.method !== "GET") ? { origin: "http://localhost:3000" } : {}),
    ...o.headers,
  });
  if (o.cookie) headers.set("cookie", o.cookie);
  const body = o.rawBody ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  if (body !== undefined) headers.set("content-type", o.contentType ?? "application/json");
  const req = new NextRequest(new URL(o.url ?? "/api/x", "http://localhost:3000"), { method: o.method ?? (body ? "POST" : "GET"), headers, body });
  const res = await handler(req, { params: Promise.resolve((o.params ?? {}) as P) });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever JSON the route answered
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, text, headers: res.headers };
}

/** Logs in as admin and returns the Cookie header value. */
export async function adminCookie(password = ADMIN_PASSWORD): Promise<string> {
  const r = await call(loginPost, { url: "/api/auth/login", body: { username: "admin", password } });
  if (r.status !== 200) throw new Error(`login failed: ${r.text}`);
  return r.headers.get("set-cookie")!.split(";")[0]!;
}

/**
 * The usual API test setup, fresh for each test: a test runtime, an admin's session cookie, and a
 * spy on resets that reach the host. Read the fields inside tests (they change per test).
 */
export function eachWithAdmin() {
  const t = {} as { ctx: Awaited<ReturnType<typeof testRuntime>>; admin: string; hostCalls: ReturnType<typeof spyOnResets> };
  beforeEach(async () => {
    t.ctx = await testRuntime();
    t.admin = await adminCookie();
    t.hostCalls = spyOnResets(t.ctx.sim);
  });
  afterEach(() => t.ctx.cleanup());
  return t;
}
