#!/usr/bin/env node
// Builds the Next app (.next/), the custom server and the privileged helper (dist/).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

/** `import text from "./file?raw"`: the file's text, as Vite (and so Vitest) does it. */
const rawText = {
  name: "raw-text",
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (a) => ({ path: path.resolve(a.resolveDir, a.path.slice(0, -4)), namespace: "raw" }));
    b.onLoad({ filter: /.*/, namespace: "raw" }, (a) => ({ contents: readFileSync(a.path, "utf8"), loader: "text" }));
  },
};

export async function buildBundles() {
  const common = { bundle: true, platform: "node", target: "node20", format: "esm", sourcemap: true, logLevel: "warning" };
  // The server side as one module: the front (dist/server.mjs) and Next (serverExternalPackages) both
  // load it through node_modules/@cowherd/core, so there is one runtime in the process.
  await build({ ...common, entryPoints: ["lib/core.ts"], outfile: "dist/core.mjs", packages: "external" });
  await build({ ...common, entryPoints: ["scripts/server.ts"], outfile: "dist/server.mjs", packages: "external" });
  // The helper must run as root with nothing but Node: bundle everything it uses, depend on no node_modules.
  await build({
    ...common,
    entryPoints: ["helper/main.ts"],
    plugins: [rawText],
    outfile: "dist/cowherd-helper",
    sourcemap: false,
    banner: { js: "#!/usr/bin/env node" },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildBundles();
  if (!process.argv.includes("--bundles-only")) step(process.execPath, ["node_modules/next/dist/bin/next", "build"]);
}
