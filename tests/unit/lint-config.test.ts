import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

// The project's biome.jsonc applied to small files in a scratch directory, the way `npm run lint` and
// `npm run format` apply it to the tree. The config is copied in (its overrides name paths relative to
// itself); the scratch directory is no git repository, so no ignore file is read.
const CONFIG = readFileSync("biome.jsonc", "utf8");
const BIOME = path.resolve("node_modules/@biomejs/biome/bin/biome");

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  dir = mkdtempSync(path.join(tmpdir(), "cowherd-lint-"));
  writeFileSync(path.join(dir, "biome.jsonc"), CONFIG);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
const biome = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIOME, ...args, "--vcs-enabled=false", "--colors=off", "."], { cwd: dir, encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr };
};
const lint = () => biome("check", "--error-on-warnings");
const clean = () => {
  const r = lint();
  expect(r.out).toContain("No fixes applied");
  expect(r.out).not.toMatch(/Found \d+ (error|warning)/);
  expect(r.code).toBe(0);
};

describe("lint and format (biome.jsonc)", () => {
  it("leaves the code's own style as it is: double quotes, semicolons, trailing commas, 2 spaces, lines up to 160", () => {
    // An array the formatter would break over lines if it were one character longer.
    const long = `export const pair = ["${"a".repeat(66)}", "${"b".repeat(65)}"];`;
    tree({
      "style.ts": [
        'import { join } from "node:path";',
        "",
        "export const where = join(",
        '  "a long first argument that does not fit on one line with the call and the second one,",',
        '  "so each goes on its own line and the last one ends with a comma, as the formatter writes it",',
        ");",
        "export const arrow = [1, 2].map((n) => n * 2);",
        long,
        "",
      ].join("\n"),
    });
    expect(long).toHaveLength(160);
    clean();
  });

  it("fails on a line past 160 characters, and `format` fixes it", () => {
    const call = `export const joined = [${Array.from({ length: 20 }, (_, i) => `"item-${i}"`).join(", ")}].join(",");\n`;
    expect(call.length).toBeGreaterThan(160);
    tree({ "long.ts": call });
    const before = lint();
    expect(before.code).not.toBe(0);
    expect(before.out).toContain("long.ts format");
    expect(biome("format", "--write").code).toBe(0);
    const after = readFileSync(path.join(dir, "long.ts"), "utf8");
    expect(Math.max(...after.split("\n").map((l) => l.length))).toBeLessThanOrEqual(160);
    clean();
  });

  it("fails on a rule, not only on formatting: loose equality, and Next's rules in a component", () => {
    tree({
      "eq.ts": "export function one(x: number): boolean {\n  return x == 1;\n}\n",
      "pic.tsx": 'export function Pic() {\n  return <img src="/a.png" alt="a" />;\n}\n',
    });
    const r = lint();
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("lint/suspicious/noDoubleEquals");
    expect(r.out).toContain("lint/performance/noImgElement"); // the `next` domain
  });

  it("formats package.json and tsconfig.json the way npm and Next write them (every array expanded)", () => {
    const written = `${JSON.stringify({ name: "x", scripts: { a: "b" }, files: ["a", "b"] }, null, 2)}\n`;
    tree({ "package.json": written, "tsconfig.json": written });
    clean();
  });
});
