#!/usr/bin/env node
// `npm start`: build when no build exists, then run the server in this process's place.
import { existsSync } from "node:fs";
import { spawn, spawnSync } from "node:child_process";

// node_modules/@cowherd/core (npm install) points at dist/core.mjs; Next and the front both load it.
const built = [".next/BUILD_ID", "dist/server.mjs", "dist/core.mjs"].every((f) => existsSync(f));
if (!built || process.argv.includes("--rebuild")) {
  console.log("cowherd: no build found, building first (about a minute)…");
  const r = spawnSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const child = spawn(process.execPath, ["--enable-source-maps", "dist/server.mjs"], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
