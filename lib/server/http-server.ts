import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Runtime } from "../runtime";
import { PEER_HEADER } from "../api/route";
import { PATH_HEADER } from "../client/return-to";
import { MAX_BODY } from "../api/body";
import { gpxeScript } from "../boot/gpxe";
import { LEGACY } from "../legacy/cgi";
import { clientAddress, isTrustedProxy, normalizeIp } from "../net/client-address";
import { bootReset, legacyStatus } from "../legacy/handlers";
import { bootFailed, bootScriptFor } from "../boot/handlers";
import { BUSY_SCRIPT, IPXE_CONTENT_TYPE } from "../boot/ipxe";
import { RequestBudget, type BudgetLimits } from "../boot/request-budget";

type NextHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

function send(res: ServerResponse, status: number, contentType: string, body: string, head: boolean, extra: Record<string, string> = {}) {
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    ...extra,
  });
  res.end(head ? undefined : body);
}

/** Refuses a request before Next sees it: the API's JSON error shape under /api, plain text elsewhere; the connection is closed. */
function refuse(res: ServerResponse, path: string, status: number, code: string, message: string, head: boolean, extra: Record<string, string> = {}) {
  const close = { Connection: "close", ...extra };
  if (path.startsWith("/api/")) send(res, status, "application/json; charset=utf-8", JSON.stringify({ error: { code, message } }), head, close);
  else send(res, status, "text/plain; charset=utf-8", `${message}\n`, head, close);
}

/**
 * Security headers for every page and API answer. Scripts run only with this request's nonce
 * (Next reads it from the request's CSP header and stamps its own scripts); inline style
 * attributes (usage bar widths) need 'unsafe-inline' for styles only.
 */
export function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function applySecurityHeaders(req: IncomingMessage, res: ServerResponse, dev: boolean) {
  const csp = contentSecurityPolicy(randomBytes(16).toString("base64"), dev);
  req.headers["content-security-policy"] = csp;
  res.setHeader("Content-Security-Policy", csp);
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "same-origin");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
}

/** Limits of the HTTP front against slow and greedy clients. */
export interface FrontLimits {
  /** Whole request (headers and body) must arrive within this; Node's default is 5 minutes. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  /** How often Node checks those two timeouts (its default, 30 s, would let a slow client stay that long). */
  timeoutCheckMs: number;
  /** Open connections one address may hold; trusted proxies (legacy.trustedProxies) are exempt. */
  maxConnectionsPerAddress: number;
  /** GETs of the iPXE routes one source (its address, an IPv6 /64) may make: a burst, then so many a second. */
  bootBudget: BudgetLimits;
  /**
   * A request past that budget is answered 429 only after this long: a flooding PC's keep-alive
   * connections then carry at most one request each per hold, and cost the server nothing meanwhile.
   */
  bootHoldMs: number;
}

export const DEFAULT_FRONT_LIMITS: FrontLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  timeoutCheckMs: 1_000,
  maxConnectionsPerAddress: 64,
  bootBudget: { burst: 20, perSecond: 1 },
  bootHoldMs: 1_000,
};

/** True when the path cannot be routed: not origin-form ("*", absolute URLs) or a malformed % escape. */
function badPath(url: string, path: string): boolean {
  if (!url.startsWith("/")) return true;
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

/** Counts open connections per address and drops those over the cap at once. */
function capConnectionsPerAddress(server: Server, max: number, exempt: (addr: string) => boolean) {
  const open = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const addr = normalizeIp(socket.remoteAddress) ?? "?";
    if (exempt(addr)) return;
    const n = (open.get(addr) ?? 0) + 1;
    if (n > max) {
      socket.destroy();
      return;
    }
    open.set(addr, n);
    socket.once("close", () => {
      const left = (open.get(addr) ?? 1) - 1;
      if (left > 0) open.set(addr, left);
      else open.delete(addr);
    });
  });
}

/**
 * The HTTP front: legacy CowBell and gPXE routes are answered here directly (they need the socket's
 * peer address, and CowBell rooms poll hard), everything else goes to Next with the peer address in
 * a header that clients cannot set.
 */
export function createHttpServer(rt: Runtime, nextHandler: NextHandler, dev = false, limits: Partial<FrontLimits> = {}) {
  const lim = { ...DEFAULT_FRONT_LIMITS, ...limits };
  const legacyPaths = new Set(rt.config.legacy.paths);
  const bootPath = rt.config.boot.path;
  const bootBudget = new RequestBudget(lim.bootBudget);
  const server = createServer(
    { requestTimeout: lim.requestTimeoutMs, headersTimeout: lim.headersTimeoutMs, connectionsCheckingInterval: lim.timeoutCheckMs },
    (req, res) => {
      const url = req.url ?? "/";
      const path = url.split("?")[0]!;
      const peer = req.socket.remoteAddress;
      const head = req.method === "HEAD";
      if (badPath(url, path)) {
        refuse(res, path, 400, "bad_request", "Malformed request path", head);
        return;
      }
      // Until the runtime's start has run (first admin, interrupted resets marked, jobs) only the
      // legacy route, which needs none of it, is served: a login there could meet no admin yet.
      if (!rt.isStarted() && !legacyPaths.has(path)) {
        refuse(res, path, 503, "starting", "Cowherd is starting; try again in a moment", head, { "Retry-After": "1" });
        return;
      }
      if (path === rt.config.ipxe.path || path === rt.config.ipxe.failedPath) {
        // iPXE fetches with GET; HEAD and the rest change nothing.
        if (req.method !== "GET") {
          if (head) send(res, 200, IPXE_CONTENT_TYPE, "", true);
          else send(res, 405, "text/plain", "Method not allowed\n", false, { Allow: "GET, HEAD" });
          return;
        }
        if (!bootBudget.take(clientAddress(peer, header(req, "x-forwarded-for"), rt.config.legacy.trustedProxies))) {
          const hold = setTimeout(() => send(res, 429, IPXE_CONTENT_TYPE, BUSY_SCRIPT, false, { "Retry-After": "5" }), lim.bootHoldMs);
          res.once("close", () => clearTimeout(hold));
          return;
        }
        const boot = {
          peer,
          forwardedFor: header(req, "x-forwarded-for"),
          localAddress: req.socket.localAddress,
          userAgent: header(req, "user-agent"),
          secFetch: Object.keys(req.headers).some((h) => h.startsWith("sec-fetch-")),
        };
        const answer =
          path === rt.config.ipxe.path ? bootScriptFor(rt, boot) : Promise.resolve(bootFailed(rt, boot, new URLSearchParams(url.slice(path.length + 1))));
        answer.then(
          (r) => send(res, r.status, IPXE_CONTENT_TYPE, r.body, false),
          (e) => {
            console.error("cowherd: boot script failed:", e);
            send(res, 500, IPXE_CONTENT_TYPE, "#!ipxe\necho Cowherd: internal error, see the server's log\nexit 1\n", false);
          },
        );
        return;
      }
      if (legacyPaths.has(path)) {
        legacyStatus(rt, peer, header(req, "x-forwarded-for")).then(
          (body) => send(res, 200, LEGACY.contentType, body, head),
          () => send(res, 200, LEGACY.contentType, LEGACY.noNumbers, head),
        );
        return;
      }
      if (path === bootPath) {
        // Only a GET resets (gPXE's); HEAD is answered without side effects, anything else refused.
        if (req.method !== "GET") {
          if (head) send(res, rt.config.boot.enabled ? 200 : 404, gpxeScript.contentType, "", true);
          else send(res, 405, "text/plain", "Method not allowed\n", false, { Allow: "GET, HEAD" });
          return;
        }
        bootReset(rt, peer, header(req, "x-forwarded-for")).then(
          (r) => send(res, r.status, gpxeScript.contentType, r.body, false),
          (e) => {
            console.error("cowherd: boot reset failed:", e);
            send(res, 500, gpxeScript.contentType, gpxeScript.error("internal error"), false);
          },
        );
        return;
      }
      // No route takes more than MAX_BODY: a larger declared body is refused before a byte of it is
      // read (routes cap chunked bodies while they stream, lib/api/body.ts).
      const declared = req.headers["content-length"];
      if (declared !== undefined && Number(declared) > MAX_BODY) {
        refuse(res, path, 413, "payload_too_large", `Body larger than ${MAX_BODY} bytes`, head);
        return;
      }
      req.headers[PEER_HEADER] = peer ?? "";
      // Pages redirect to the login with the address that was asked for (lib/next/current-user.ts).
      req.headers[PATH_HEADER] = req.url ?? "/";
      applySecurityHeaders(req, res, dev);
      nextHandler(req, res).catch((e) => {
        // A client that went away or was dropped (too slow, body over the cap) is not a server error.
        if (req.destroyed) return void res.destroy();
        console.error("cowherd: request failed:", e);
        if (!res.headersSent) send(res, 500, "text/plain", "Internal error\n", head);
        else res.destroy();
      });
    },
  );
  capConnectionsPerAddress(server, lim.maxConnectionsPerAddress, (addr) => isTrustedProxy(addr, rt.config.legacy.trustedProxies));
  return server;
}
