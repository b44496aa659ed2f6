import type { IncomingMessage, ServerResponse } from "node:http";
import { NextRequest } from "next/server";

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
export type RouteTable = [pattern: string, methods: Record<string, Handler>][];

function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/");
  const a = path.split("/");
  if (p.length !== a.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith("[")) params[p[i]!.slice(1, -1)] = decodeURIComponent(a[i]!);
    else if (p[i] !== a[i]) return null;
  }
  return params;
}

/**
 * Stands in for Next behind the real HTTP front in tests: it builds the NextRequest the way Next's
 * NodeNextRequest adapter does (the IncomingMessage itself as a streamed body, duplex "half"), calls
 * the real route handler and writes its Response back.
 */
export function nextLike(routes: RouteTable) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost:3000");
    const found = routes.map(([pattern, methods]) => [match(pattern, url.pathname), methods] as const).find(([p]) => p);
    const handler = found?.[1][req.method ?? "GET"];
    if (!found || !handler) {
      res.writeHead(404).end();
      return;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const init = { method: req.method, headers, duplex: "half", ...(hasBody ? { body: req as unknown as ReadableStream } : {}) };
    const request = new NextRequest(url, init as ConstructorParameters<typeof NextRequest>[1]);
    const response = await handler(request, { params: Promise.resolve(found[0]!) });
    const out: Record<string, string | string[]> = {};
    response.headers.forEach((v, k) => (out[k] = k === "set-cookie" ? response.headers.getSetCookie() : v));
    const body = Buffer.from(await response.arrayBuffer());
    if (res.destroyed) return;
    res.writeHead(response.status, out).end(body);
  };
}
