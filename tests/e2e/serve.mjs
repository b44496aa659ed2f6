// @ts-check
// The browser tests' webServer: the production build (built first when missing) on a fresh,
// throwaway data dir, removed again when Playwright stops the server.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

if (![".next/BUILD_ID", "dist/server.mjs", "dist/core.mjs"].every((f) => existsSync(f))) {
  const r = spawnSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const dataDir = mkdtempSync(path.join(tmpdir(), "cowherd-e2e-"));
const child = spawn(process.execPath, ["dist/server.mjs"], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production", COWHERD_DATA_DIR: dataDir } });
const stop = () => child.kill("SIGTERM");
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
child.on("exit", (code) => {
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code ?? 0);
});
