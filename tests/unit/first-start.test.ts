import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createNetServer, type Server as NetServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/password";
import { createRuntime, type Runtime } from "@/lib/runtime";
import { createHttpServer } from "@/lib/server/http-server";
import { listenAndStart } from "@/lib/server/listen";

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "cowherd-first-"));
  open.push({ close: () => rmSync(dir, { recursive: true, force: true }) });
  return dir;
}

/** A server process as scripts/server.ts builds it: runtime with a deferred start, front, listen. */
async function serve(dir: string, port: number) {
  const lines: string[] = [];
  const rt = await createRuntime({ COWHERD_DATA_DIR: dir, COWHERD_SIM_ACTIVITY: "0" }, (l) => lines.push(l), { deferStart: true });
  const server = createHttpServer(rt, async (_req, res) => void res.end());
  open.push({ close: () => (server.listening ? new Promise((r) => server.close(r)) : undefined) }, { close: () => rt.close() });
  const started = listenAndStart(server, rt, port, "127.0.0.1").then(
    () => "listening",
    (e: Error) => e.message,
  );
  return { rt, server, lines, outcome: await started };
}

async function busyPort(): Promise<{ port: number; blocker: NetServer }> {
  const blocker = createNetServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  open.push({ close: () => new Promise((r) => blocker.close(r)) });
  return { port: (blocker.address() as AddressInfo).port, blocker };
}

const serverStarts = (rt: Runtime) => rt.audit.list({ action: "server.start", page: 1, pageSize: 10 }).total;
const printedPassword = (lines: string[]) => lines.join("\n").match(/shown this once:\ncowherd: {5}(\S+)/)?.[1];

describe("first start", () => {
  it("on a busy port nothing is created or printed; the next start creates the admin and prints its password", async () => {
    const dir = dataDir();
    const { port } = await busyPort();
    const failed = await serve(dir, port);
    expect(failed.outcome).toMatch(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE.*already running/);
    expect(failed.rt.users.count()).toBe(0);
    expect(failed.lines.join("\n")).not.toMatch(/password/i);
    expect(serverStarts(failed.rt)).toBe(0);
    failed.rt.close();

    const ok = await serve(dir, 0);
    expect(ok.outcome).toBe("listening");
    const password = printedPassword(ok.lines);
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(await verifyPassword(password!, ok.rt.users.findByName("admin")!.passwordHash)).toBe(true);
    expect(serverStarts(ok.rt)).toBe(1);
  });

  it("a second instance that fails on the running one's port writes nothing into its audit log or history", async () => {
    const dir = dataDir();
    const running = await serve(dir, 0);
    expect(running.outcome).toBe("listening");
    const port = (running.server.address() as AddressInfo).port;
    const resetId = running.rt.history.start({ machineId: 1, machineName: "retro-01", source: "dashboard", requestedBy: "admin", batchId: null, startedAt: Date.now(), stateBefore: "ok", usedBefore: 0, totalBefore: 0 });
    const second = await serve(dir, port);
    expect(second.outcome).toMatch(/EADDRINUSE/);
    expect(serverStarts(running.rt)).toBe(1);
    expect(running.rt.history.get(resetId)!.result).toBe("running"); // not marked interrupted by the failed start
    expect(printedPassword(second.lines)).toBeUndefined();
  });
});
