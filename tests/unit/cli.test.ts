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

describe("shell tool: master image versions", () => {
  it("image-update waits for the copy, image-publish makes it current, images lists who sits where; refusals exit 1 in words", async () => {
    const { execFile } = await import("node:child_process");
    const { apiServer } = await import("../helpers/api-server");
    const srv = await apiServer({ COWHERD_SIM_STEP_MS: "20" });
    try {
      const token = srv.rt.tokens.create("cli", "admin", "admin", 1).token;
      const cli = (...args: string[]) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
          execFile(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", ...args], { env: { ...process.env, COWHERD_URL: `http://127.0.0.1:${srv.port}`, COWHERD_TOKEN: token }, encoding: "utf8" }, (e, stdout, stderr) =>
            resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
          ),
        );
      let r = await cli("image-update", "retro-04", "--comment", "new drivers");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/v2 is ready on retro-04 \(copy\): boot it, install the updates, shut it down, then 'image-publish'/);
      r = await cli("image-publish");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/current v2/);
      expect(r.stdout).toMatch(/\* v2 .* no PC +new drivers \(token:cli\)/);
      r = await cli("image-delete", "1");
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(/^cowherd: v1 is in use by PCs 1, 2, 3, .*: they move off it at their next reset$/);
      r = await cli("image-current", "v1");
      expect(r.code).toBe(2);
      r = await cli("images");
      expect(r.stdout).toMatch(/publish v2 by token:cli: ok "new drivers"/);
    } finally {
      await srv.close();
    }
  }, 60_000);
});
