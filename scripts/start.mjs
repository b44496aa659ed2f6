#!/usr/bin/env node
// @ts-check
// `npm start`: build when no build exists, then run the server in this process's place. A first start
// prints a few lines: that it builds (once), how long that took, the dashboard's address and the
// generated admin password. --verbose (or COWHERD_VERBOSE=1) shows what Next says as well.
import { existsSync } from "node:fs";
import { spawn, spawnSync } from "node:child_process";
import { wantsVerbose, withTelemetryOff } from "./build-output.mjs";

const env = withTelemetryOff({ ...process.env, ...(wantsVerbose(process.argv, process.env) ? { COWHERD_VERBOSE: "1" } : {}) });
// node_modules/@cowherd/core (npm install) points at dist/core.mjs; Next and the front both load it.
const built = [".next/BUILD_ID", "dist/server.mjs", "dist/core.mjs"].every((f) => existsSync(f));
if (!built || process.argv.includes("--rebuild")) {
  console.log(`cowherd: ${built ? "rebuilding" : "no build yet: building it once"} (about 2 minutes on 2 cores)…`);
  const r = spawnSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit", env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const child = spawn(process.execPath, ["--enable-source-maps", "dist/server.mjs"], { stdio: "inherit", env: { ...env, NODE_ENV: "production" } });
for (const sig of /** @type {const} */ (["SIGINT", "SIGTERM"])) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
