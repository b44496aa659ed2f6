import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

// The .mjs scripts and tests are type-checked like the TypeScript: tsconfig.json takes them in with
// allowJs, and each file opts in with `// @ts-check` (JSDoc where inference is not enough).

/** Folders whose .mjs files have not opted in yet (to be emptied, not added to). */
const NOT_YET_CHECKED: string[] = [];

const ROOT = path.resolve(".");
const mjsUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".mjs"))
    .map((f) => path.join(dir, f))
    .sort();
const scripts = [...mjsUnder("scripts"), ...mjsUnder("tests")];

function projectConfig(): ts.ParsedCommandLine {
  const file = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
  return ts.parseJsonConfigFileContent(file.config, ts.sys, ROOT);
}

describe("type-checked .mjs", () => {
  it("finds the scripts and tests", () => {
    expect(scripts).toContain("scripts/test.mjs");
    expect(scripts).toContain("tests/room/room-steps.mjs");
    expect(scripts.some((f) => f.startsWith("tests/system/"))).toBe(true);
  });

  it("every .mjs under scripts/ and tests/ opts in with // @ts-check, but for the folders not done yet", () => {
    const missing = scripts
      .filter((f) => !NOT_YET_CHECKED.some((d) => f.startsWith(d)))
      .filter((f) => {
        const head = readFileSync(f, "utf8").split("\n").slice(0, 2);
        return !head.includes("// @ts-check");
      });
    expect(missing).toEqual([]);
  });

  it("tsconfig.json takes in every one of them, tests/system's too, so a file that opts in is checked", () => {
    const config = projectConfig();
    expect(config.errors).toEqual([]);
    expect(config.options.allowJs).toBe(true);
    expect(config.options.checkJs).not.toBe(true); // per file, by its own // @ts-check
    const inProgram = new Set(config.fileNames.map((f) => path.relative(ROOT, f)));
    expect(scripts.filter((f) => !inProgram.has(f))).toEqual([]);
  });

  describe("with the project's compiler options", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cowherd-ts-check-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const errorsIn = (name: string, text: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      const program = ts.createProgram([file], { ...projectConfig().options, incremental: false, types: [] });
      return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    };
    const body = "/** @param {number} n */\nexport const twice = (n) => n * 2;\ntwice('2');\nexport const parse = (s) => s.trim();\n";

    it("a file with // @ts-check is checked strictly: a wrong argument and an untyped parameter are errors", () => {
      const errors = errorsIn("opted-in.mjs", `// @ts-check\n${body}`);
      expect(errors).toHaveLength(2);
      expect(errors[0]).toMatch(/not assignable to parameter of type 'number'/);
      expect(errors[1]).toMatch(/implicitly has an 'any' type/);
    });

    it("a file without it is not checked", () => {
      expect(errorsIn("not-opted-in.mjs", body)).toEqual([]);
    });
  });
});
