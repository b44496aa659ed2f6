import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// Next bundles app/, components/ and lib/next/; the server side reaches them only through
// @cowherd/core, which Node loads once. A value import of any other lib/ module from bundled code
// would give that code a second copy (a second runtime, classes that fail instanceof).
const BUNDLED = ["app", "components", "lib/next"];
const STATELESS = /^@\/lib\/(validations\/|client\/|next\/|constants$)/;

function files(dir: string, ext = /\.tsx?$/): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(f) ? [p] : [];
  });
}

/** Every module a file names: imports (value or type), re-exports and dynamic import()s. */
function allImports(file: string): string[] {
  const src = readFileSync(file, "utf8");
  return [...src.matchAll(/(?:^(?:import|export)\s[^;]*?from\s+|\bimport\()\s*"([^"]+)"/gm)].map((m) => m[1]!);
}

/** The repository path (no extension) an import specifier names, or null for a package. */
function target(file: string, spec: string): string | null {
  if (spec.startsWith("@/")) return path.normalize(spec.slice(2));
  if (spec.startsWith(".")) return path.relative(process.cwd(), path.resolve(path.dirname(file), spec));
  return null;
}

function valueImports(file: string): string[] {
  const src = readFileSync(file, "utf8");
  return [...src.matchAll(/^import\s+(?!type\b)[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]!);
}

describe("one module graph", () => {
  it("bundled code takes server values only from @cowherd/core", () => {
    const offenders: string[] = [];
    for (const file of BUNDLED.flatMap((d) => files(d))) {
      for (const spec of valueImports(file)) {
        const intoLib =
          spec.startsWith("@/lib/") ||
          (spec.startsWith(".") && path.resolve(path.dirname(file), spec).startsWith(path.resolve("lib")) && !file.startsWith("lib/next"));
        if (intoLib && !STATELESS.test(spec)) offenders.push(`${file}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("the core never imports Next (it runs outside Next's bundles)", () => {
    const core = files("lib").filter((f) => !f.startsWith("lib/next"));
    const offenders = core.flatMap((f) =>
      valueImports(f)
        .filter((s) => s === "next" || s.startsWith("next/"))
        .map((s) => `${f}: ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it("the @cowherd/core package points at lib/core.ts's build", () => {
    const pkg = JSON.parse(readFileSync("lib/core-package/package.json", "utf8"));
    expect(pkg.name).toBe("@cowherd/core");
    expect(readFileSync("lib/core-package/index.mjs", "utf8")).toContain("../../../dist/core.mjs");
    expect(readFileSync("next.config.js", "utf8")).toMatch(/serverExternalPackages:[^\]]*"@cowherd\/core"/);
  });

  it("only helper/ imports the helper's command builders and iSCSI backends (what runs as root)", () => {
    // The app and the simulator share only the port (lib/host/command.ts: what a command is); the
    // argv builders behind it are the helper's. The unit tests of those modules may import them.
    const ROOT_SIDE = /^helper\/(commands|iscsi)(\/|$)/;
    const outside = ["app", "components", "lib", "scripts"].flatMap((d) => files(d, /\.(tsx?|mjs)$/));
    const offenders = outside.flatMap((f) =>
      allImports(f)
        .filter((spec) => ROOT_SIDE.test(target(f, spec) ?? ""))
        .map((spec) => `${f}: ${spec}`),
    );
    expect(offenders).toEqual([]);
    // The probe itself must see an import that crosses the line.
    expect(allImports("helper/storage/reads.ts").some((s) => ROOT_SIDE.test(target("helper/storage/reads.ts", s) ?? ""))).toBe(true);
  });

  it("lib/host/commands and lib/host/iscsi are gone (root-side code lives under helper/)", () => {
    expect(files("lib/host").filter((f) => /^lib\/host\/(commands|iscsi)\//.test(f))).toEqual([]);
  });
});
