#!/usr/bin/env node
// @ts-check
// Builds the Next app (.next/), the custom server and the privileged helper (dist/). Quiet: "built in
// …" and Next's warnings; Next's whole output on failure or with --verbose (COWHERD_VERBOSE=1).
import { readFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { quietNextBuild, took, wantsVerbose } from "./build-output.mjs";

/** `import text from "./file?raw"`: the file's text, as Vite (and so Vitest) does it. @type {import("esbuild").Plugin} */
const rawText = {
  name: "raw-text",
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (a) => ({ path: path.resolve(a.resolveDir, a.path.slice(0, -4)), namespace: "raw" }));
    b.onLoad({ filter: /.*/, namespace: "raw" }, (a) => ({ contents: readFileSync(a.path, "utf8"), loader: "text" }));
  },
};

export async function buildBundles() {
  /** @type {import("esbuild").BuildOptions} */
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
  const started = Date.now();
  await buildBundles();
  if (!process.argv.includes("--bundles-only")) {
    const code = await quietNextBuild("node_modules/next/dist/bin/next", { verbose: wantsVerbose(process.argv, process.env) });
    if (code !== 0) {
      console.error(`cowherd: the build failed (next build exited ${code}); its output is above`);
      process.exit(code);
    }
    console.log(`cowherd: built in ${took(Date.now() - started)}`);
  }
}
