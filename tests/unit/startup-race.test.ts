import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import * as login from "@/app/api/auth/login/route";
import { createRuntime, setRuntime, type Runtime } from "@/lib/runtime";
import { createHttpServer } from "@/lib/server/http-server";
import { listenAndStart } from "@/lib/server/listen";
import { LEGACY } from "@/lib/legacy/cgi";
import { get, request } from "../helpers/http";
import { nextLike, type RouteTable } from "../helpers/next-adapter";
import { ADMIN_PASSWORD } from "../helpers/runtime";

const open: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

it("until start-up has run only the legacy route is served: the rest answer 503 with Retry-After, never a 401; then the login works", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cowherd-race-"));
  open.push(() => rmSync(dir, { recursive: true, force: true }));
  // As scripts/server.ts builds it: a runtime whose start waits for the port, the real front.
  const rt: Runtime = await createRuntime({ COWHERD_DATA_DIR: dir, COWHERD_ADMIN_PASSWORD: ADMIN_PASSWORD, COWHERD_SIM_ACTIVITY: "0" }, () => undefined, {
    deferStart: true,
  });
  setRuntime(Promise.resolve(rt));
  open.push(() => rt.close());
  const server = createHttpServer(rt, nextLike([["/api/auth/login", login]] as unknown as RouteTable));
  open.push(() => new Promise((r) => (server.closeAllConnections(), server.close(r))));
  // A start slowed down artificially: it goes on only when the test says so.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const start = rt.start;
  rt.start = async () => (await gate, start());
  const started = listenAndStart(server, rt, 0, "127.0.0.1");
  while (!server.listening) await new Promise((r) => setTimeout(r, 5));
  const port = (server.address() as AddressInfo).port;

  const credentials = { username: "admin", password: ADMIN_PASSWORD };
  for (let i = 0; i < 3; i++) {
    const early = await request(port, "POST", "/api/auth/login", { body: credentials });
    expect(early.status).toBe(503);
    expect(early.headers["retry-after"]).toBe("1");
    expect(early.json).toEqual({ error: { code: "starting", message: expect.stringMatching(/starting/) } });
  }
  expect((await get(port, "/boot/ipxe", { from: "127.0.0.42", headers: { "user-agent": "iPXE/1.21.1" } })).status).toBe(503);
  expect(rt.boots.list({ page: 1, pageSize: 1 }).total).toBe(0);
  // CowBell's route needs nothing from the start: it answers as ever.
  const legacy = await get(port, "/cgi/status", { from: "127.0.0.42" });
  expect(legacy.status).toBe(200);
  expect(legacy.headers["content-type"]).toBe(LEGACY.contentType);

  release();
  await started;
  const ok = await request(port, "POST", "/api/auth/login", { body: credentials });
  expect(ok.status).toBe(200);
});
