import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/password";
import { testRuntime } from "../helpers/runtime";

/** A loopback port nobody listens on. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe("shell tool", () => {
  it("rotates the admin password from the shell, ends its sessions and audits it", async () => {
    const { rt, cleanup } = await testRuntime();
    const token = rt.sessions.create(1);
    const r = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", "passwd", "admin"], {
      env: { ...process.env, COWHERD_DATA_DIR: rt.dataDir, COWHERD_NEW_PASSWORD: "rotated-from-the-shell" },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(await verifyPassword("rotated-from-the-shell", rt.users.findByName("admin")!.passwordHash)).toBe(true);
    expect(rt.sessions.validate(token)).toBeUndefined();
    expect(rt.audit.list({ action: "user.password", page: 1, pageSize: 1 }).rows[0]).toMatchObject({ target: "admin", outcome: "ok", actorKind: "system" });
    const short = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", "passwd", "admin"], {
      env: { ...process.env, COWHERD_DATA_DIR: rt.dataDir, COWHERD_NEW_PASSWORD: "short" },
      encoding: "utf8",
    });
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/at least 10 characters/);
    cleanup();
  });

  it("says where it could not connect and what to set, without a stack trace", async () => {
    const port = await freePort();
    const r = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", "status"], {
      env: { ...process.env, COWHERD_URL: `http://127.0.0.1:${port}`, COWHERD_TOKEN: "cwh_x" },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^cowherd: cannot reach Cowherd at http://127.0.0.1:${port} \\(ECONNREFUSED\\).*Set COWHERD_URL`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("config-check names a bad key and exits non-zero", () => {
    const r = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", "config-check"], {
      env: { ...process.env, COWHERD_CONFIG: "deploy/sudoers.d/cowherd" },
      encoding: "utf8",
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/not valid JSON at line 1, column 1: /);
  });

  it("config errors name the key: a missing machines list says it is required", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cli-"));
    writeFileSync(path.join(dir, "c.json"), '{\n  "host": "sim"\n}\n');
    const r = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", "config-check"], {
      env: { ...process.env, COWHERD_CONFIG: path.join(dir, "c.json") },
      encoding: "utf8",
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/machines: missing: this key is required/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
