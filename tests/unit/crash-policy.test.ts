import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { installCrashPolicy } from "@/lib/server/crash-policy";
import { StepError } from "@/lib/host/step-error";
import { testRuntime } from "../helpers/runtime";

const settle = (ms = 30) => new Promise((r) => setTimeout(r, ms));

describe("auto-extend's refusal when the event log cannot be written", () => {
  let cleanup: () => void = () => {};
  afterEach(() => cleanup());

  it("an SQLite error while raising the refusal is logged where it happens: no unhandled rejection, the PC tried again later", async () => {
    const t = await testRuntime({}, { autoextend: { threshold: 80, percent: 20 } });
    cleanup = t.cleanup;
    const unhandled: unknown[] = [];
    const listen = (e: unknown) => void unhandled.push(e);
    process.on("unhandledRejection", listen);
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      t.sim.setMachine(3, { fraction: 0.85 });
      // The host refuses the grow, so the refusal is raised from inside the grow's catch...
      t.sim.grow = async () => {
        throw new StepError("space", "no room on the store");
      };
      // ...and the event log's database fails right there (as a full disk does).
      const raise = t.rt.eventLog.raise.bind(t.rt.eventLog);
      let raised = 0;
      t.rt.eventLog.raise = (c) => {
        if (c.kind !== "autoextend-refused") return raise(c);
        raised++;
        throw new Database.SqliteError("database or disk is full", "SQLITE_FULL");
      };
      await t.rt.watch.tick();
      await settle();
      expect(raised).toBe(1);
      expect(unhandled).toEqual([]);
      expect(logged.mock.calls.flat().join("\n")).toMatch(/could not record its refusal in the event log: database or disk is full/);
      // The refusal still holds the PC back for a minute (no grow attempt on every tick).
      await t.rt.watch.tick();
      await settle();
      expect(raised).toBe(1);
    } finally {
      process.off("unhandledRejection", listen);
      logged.mockRestore();
    }
  });
});

describe("the process's crash policy", () => {
  function fakeProcess() {
    const ee = new EventEmitter();
    const exits: number[] = [];
    const proc = { on: ee.on.bind(ee), off: ee.off.bind(ee), exit: (code?: number) => void exits.push(code ?? 0) } as unknown as Parameters<
      typeof installCrashPolicy
    >[0];
    return { ee, proc, exits };
  }

  it("an unhandled rejection is logged with its reason and stack, and the server keeps serving", () => {
    const { ee, proc, exits } = fakeProcess();
    const lines: string[] = [];
    const policy = installCrashPolicy(proc, (l) => lines.push(l));
    ee.emit("unhandledRejection", new Database.SqliteError("database is locked", "SQLITE_BUSY"), Promise.resolve());
    expect(exits).toEqual([]);
    expect(policy.rejections).toBe(1);
    expect(lines[0]).toMatch(/^cowherd: unhandled promise rejection \(#1; logged, still serving\): database is locked\n.*SqliteError/s);
    policy.remove();
    expect(ee.listenerCount("unhandledRejection")).toBe(0);
  });

  it("an uncaught exception is logged and the process exits 1 (systemd restarts it)", () => {
    const { ee, proc, exits } = fakeProcess();
    const lines: string[] = [];
    installCrashPolicy(proc, (l) => lines.push(l));
    ee.emit("uncaughtException", new TypeError("x is undefined"), "uncaughtException");
    expect(exits).toEqual([1]);
    expect(lines[0]).toMatch(/uncaught exception .*exiting.*x is undefined/);
  });

  it("in a real process, an unhandled rejection does not end it", async () => {
    const { execa } = await import("execa");
    const { build } = await import("esbuild");
    const dir = mkdtempSync(path.join(tmpdir(), "cowherd-crash-"));
    try {
      writeFileSync(
        path.join(dir, "main.ts"),
        `
        import { installCrashPolicy } from ${JSON.stringify(path.resolve("lib/server/crash-policy.ts"))};
        installCrashPolicy();
        Promise.reject(new Error("lost"));
        setTimeout(() => console.log("still serving"), 50);
      `,
      );
      await build({
        entryPoints: [path.join(dir, "main.ts")],
        bundle: true,
        platform: "node",
        format: "esm",
        outfile: path.join(dir, "main.mjs"),
        logLevel: "silent",
      });
      const r = await execa(process.execPath, [path.join(dir, "main.mjs")], { reject: false, timeout: 20_000 });
      expect(r.stdout).toBe("still serving");
      expect(r.stderr).toMatch(/unhandled promise rejection \(#1; logged, still serving\): lost/);
      expect(r.exitCode).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
