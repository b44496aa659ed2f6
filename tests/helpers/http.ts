import http from "node:http";
import type { AddressInfo } from "node:net";

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A GET from a chosen loopback source address (like `curl --interface 127.0.0.45`). */
export function get(port: number, path: string, opts: { from?: string; host?: string; headers?: Record<string, string>; agent?: http.Agent } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: opts.host ?? "127.0.0.1", port, path, localAddress: opts.from, headers: opts.headers, agent: opts.agent },
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
