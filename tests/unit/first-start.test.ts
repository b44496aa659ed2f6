import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createNetServer, type Server as NetServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/password";
import { createRuntime, type Runtime } from "@/lib/runtime";
import { createHttpServer } from "@/lib/server/http-server";
import { listenAndStart } from "@/lib/server/listen";
import { withoutNextProgress } from "@/lib/server/next-progress";
import { buildOutputToShow, quietNextBuild, took, wantsVerbose, withTelemetryOff } from "../../scripts/build-output.mjs";

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
    const resetId = running.rt.history.start({
      machineId: 1,
      machineName: "retro-01",
      source: "dashboard",
      requestedBy: "admin",
      batchId: null,
      startedAt: Date.now(),
      stateBefore: "ok",
      usedBefore: 0,
      totalBefore: 0,
    });
    const second = await serve(dir, port);
    expect(second.outcome).toMatch(/EADDRINUSE/);
    expect(serverStarts(running.rt)).toBe(1);
    expect(running.rt.history.get(resetId)!.result).toBe("running"); // not marked interrupted by the failed start
    expect(printedPassword(second.lines)).toBeUndefined();
  });
});

describe("first start's console: the address and the password, not Next's notices", () => {
  // A real `next build` of this project, telemetry notice and route table included.
  const nextOutput = readFileSync("tests/fixtures/next-build-output.txt", "utf8");

  it("a build that worked shows nothing of Next's banner, telemetry notice or route table, but its warnings; a failed or verbose one shows all", () => {
    expect(nextOutput).toMatch(/collects completely anonymous telemetry/);
    expect(nextOutput.split("\n").filter((l: string) => /^[├┌└] ƒ/.test(l)).length).toBeGreaterThan(40);
    expect(buildOutputToShow(nextOutput, { ok: true, verbose: false })).toBe("");
    const warned = nextOutput.replace("Route (app)", " ⚠ Detected additional lockfiles\nRoute (app)");
    expect(buildOutputToShow(warned, { ok: true, verbose: false })).toBe(" ⚠ Detected additional lockfiles\n");
    expect(buildOutputToShow(nextOutput, { ok: false, verbose: false })).toBe(nextOutput);
    expect(buildOutputToShow(nextOutput, { ok: true, verbose: true })).toBe(nextOutput);
  });

  it("telemetry is off unless the user decided; --verbose or COWHERD_VERBOSE=1 asks for everything", () => {
    expect(withTelemetryOff({ PATH: "/bin" })).toEqual({ PATH: "/bin", NEXT_TELEMETRY_DISABLED: "1" });
    expect(withTelemetryOff({ NEXT_TELEMETRY_DISABLED: "" })).toEqual({ NEXT_TELEMETRY_DISABLED: "" }); // set but empty: Next's telemetry on, the user's call
    expect(wantsVerbose(["node", "start.mjs"], {})).toBe(false);
    expect(wantsVerbose(["node", "start.mjs", "--verbose"], {})).toBe(true);
    expect(wantsVerbose(["node", "start.mjs"], { COWHERD_VERBOSE: "1" })).toBe(true);
    expect([took(48_400), took(125_000)]).toEqual(["48 s", "2 min 05 s"]);
  });

  it("while Next prepares, its '✓' progress lines are held back (unless verbose); its warnings and everything after still print", async () => {
    const printed: unknown[][] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void printed.push(a);
    try {
      const prepare = async () => {
        console.log("\x1b[32m\x1b[1m✓\x1b[22m\x1b[39m Running next.config.js took 205ms"); // as Next colours it on a terminal
        console.log("✓ Ready");
        console.log("⚠ a warning from Next");
        return 7;
      };
      expect(await withoutNextProgress(false, prepare)).toBe(7);
      console.log("cowherd: the dashboard is on http://localhost:3000");
      expect(printed).toEqual([["⚠ a warning from Next"], ["cowherd: the dashboard is on http://localhost:3000"]]);
      printed.length = 0;
      await withoutNextProgress(true, prepare);
      expect(printed).toHaveLength(3);
      await expect(withoutNextProgress(false, () => Promise.reject(new Error("no .next")))).rejects.toThrow("no .next");
      console.log("✓ after a failed prepare");
      expect(printed.at(-1)).toEqual(["✓ after a failed prepare"]);
    } finally {
      console.log = log;
    }
  });

  /** A stand-in for Next's CLI: prints the real build's output and the telemetry setting it got, exits with FAKE_EXIT. */
  function fakeNext(): string {
    const dir = dataDir();
    const bin = path.join(dir, "next.mjs");
    writeFileSync(
      bin,
      `process.stdout.write(${JSON.stringify(nextOutput)}); console.error("telemetry disabled: " + process.env.NEXT_TELEMETRY_DISABLED); process.exit(Number(process.env.FAKE_EXIT ?? 0));\n`,
    );
    return bin;
  }

  it("the build runs Next with telemetry off and holds its output back; when Next fails, all of it is printed", async () => {
    const bin = fakeNext();
    let shown = "";
    const write = (t: string) => void (shown += t);
    expect(await quietNextBuild(bin, { verbose: false, env: { ...process.env, NEXT_TELEMETRY_DISABLED: undefined }, write })).toBe(0);
    expect(shown).toBe("");
    expect(await quietNextBuild(bin, { verbose: false, env: { ...process.env, NEXT_TELEMETRY_DISABLED: undefined, FAKE_EXIT: "3" }, write })).toBe(3);
    expect(shown).toContain(nextOutput);
    expect(shown).toMatch(/telemetry disabled: 1\n$/);
    shown = "";
    expect(await quietNextBuild(bin, { verbose: false, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "0", FAKE_EXIT: "1" }, write })).toBe(1);
    expect(shown).toMatch(/telemetry disabled: 0\n$/); // the user's choice stands
  });

  it("npm start on a fresh copy says once that it builds, then runs the server with telemetry off", () => {
    const dir = dataDir();
    mkdirSync(path.join(dir, "scripts"));
    for (const f of ["start.mjs", "build-output.mjs"]) copyFileSync(path.join("scripts", f), path.join(dir, "scripts", f));
    // The build and the server stand-ins: each says what telemetry setting it was given.
    writeFileSync(
      path.join(dir, "scripts/build.mjs"),
      `import { mkdirSync, writeFileSync } from "node:fs";
mkdirSync(".next"); mkdirSync("dist");
for (const f of [".next/BUILD_ID", "dist/core.mjs"]) writeFileSync(f, "");
writeFileSync("dist/server.mjs", 'console.log("server: telemetry disabled " + process.env.NEXT_TELEMETRY_DISABLED + ", verbose " + process.env.COWHERD_VERBOSE)');
console.log("build: telemetry disabled " + process.env.NEXT_TELEMETRY_DISABLED);
`,
    );
    const start = (...args: string[]) =>
      spawnSync(process.execPath, ["scripts/start.mjs", ...args], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: undefined, COWHERD_VERBOSE: undefined },
      });
    const first = start();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(
      "cowherd: no build yet: building it once (about 2 minutes on 2 cores)…\nbuild: telemetry disabled 1\nserver: telemetry disabled 1, verbose undefined\n",
    );
    const second = start("--verbose");
    expect(second.stdout).toBe("server: telemetry disabled 1, verbose 1\n");
  });
});
