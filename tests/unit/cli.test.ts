import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/password";
import { testRuntime } from "../helpers/runtime";

describe("shell tool", () => {
  it("rotates the admin password from the shell, ends its sessions and audits it", async () => {
    const { rt, cleanup } = await testRuntime();
    const token = rt.sessions.create(1);
    const r = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", "passwd", "admin"], {
      env: { ...process.env, COWHERD_DATA_DIR: rt.dataDir, COWHERD_NEW_PASSWORD: "rotated-from-shell" },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(await verifyPassword("rotated-from-shell", rt.users.findByName("admin")!.passwordHash)).toBe(true);
    expect(rt.sessions.validate(token)).toBeUndefined();
    expect(rt.audit.list({ action: "user.password", page: 1, pageSize: 1 }).rows[0]).toMatchObject({ target: "admin", outcome: "ok", actorKind: "system" });
    const short = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", "passwd", "admin"], {
      env: { ...process.env, COWHERD_DATA_DIR: rt.dataDir, COWHERD_NEW_PASSWORD: "short" },
      encoding: "utf8",
    });
    expect(short.status).toBe(2);
    cleanup();
  });

  it("config-check names a bad key and exits non-zero", () => {
    const r = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", "config-check"], {
      env: { ...process.env, COWHERD_CONFIG: "deploy/sudoers.d/cowherd" },
      encoding: "utf8",
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/not valid JSON/);
  });
});
