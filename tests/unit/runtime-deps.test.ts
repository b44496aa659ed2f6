import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

// The HTTP front serves every route and the route wrapper hands each API route its context: they
// hold the whole runtime. Everything else names the members it uses (Pick<Runtime, …>, or the member).
const WHOLE = new Set(["lib/runtime.ts", "lib/core.ts", "lib/server/http-server.ts", "lib/api/route.ts"].map((f) => path.normalize(f)));

describe("lib functions take what they use", () => {
  it("no lib function outside the front and the route wrapper takes the whole runtime", () => {
    const offenders = files("lib")
      .filter((f) => !WHOLE.has(f))
      .flatMap((f) =>
        readFileSync(f, "utf8")
          .split("\n")
          .map((line, i) => [f, i + 1, line] as const),
      )
      .filter(([, , line]) => /\b\w+: Runtime\b(?!\[)/.test(line))
      .map(([f, n, line]) => `${f}:${n}: ${line.trim()}`);
    expect(offenders).toEqual([]);
  });
});
