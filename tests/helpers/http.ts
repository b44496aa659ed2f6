import http from "node:http";
import type { AddressInfo } from "node:net";

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A GET from a chosen loopback source address (like `curl --interface 127.0.0.45`). */
export function get(
  port: number,
  path: string,
  opts: { from?: string; host?: string; headers?: Record<string, string>; agent?: http.Agent; method?: string } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: opts.host ?? "127.0.0.1", port, path, localAddress: opts.from, headers: opts.headers, agent: opts.agent, method: opts.method ?? "GET" },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("latin1") }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

export function listen(server: http.Server, host = "::"): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

export interface JsonResult extends HttpResult {
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever JSON the server answered
  json: any;
  /** name=value of each Set-Cookie. */
  cookies: Record<string, string>;
}

/** A JSON request from a chosen loopback source address, with the Origin of the server it talks to. */
export function request(
  port: number,
  method: string,
  path: string,
  opts: { from?: string; body?: unknown; cookie?: string; headers?: Record<string, string> } = {},
): Promise<JsonResult> {
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method,
        localAddress: opts.from,
        agent: false,
        headers: {
          origin: `http://127.0.0.1:${port}`,
          ...(body !== undefined ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) } : {}),
          ...(opts.cookie ? { cookie: opts.cookie } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever JSON the server answered
          let json: any = null;
          try {
            json = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          const cookies = Object.fromEntries((res.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]!.split(/=(.*)/s).slice(0, 2) as [string, string]));
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json, cookies });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
