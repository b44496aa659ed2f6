import { describe, expect, it } from "vitest";
import { playwrightCount, vitestCount } from "../../scripts/test-report.mjs";

// CI keeps only the end of `npm test`'s log; these are the names it prints there.
describe("npm test's summary names what failed", () => {
  it("vitest: a failed test by file and full name, and a file that failed to load", () => {
    const c = vitestCount({
      numPassedTests: 3,
      numFailedTests: 1,
      testResults: [
        { name: `${process.cwd()}/tests/unit/a.test.ts`, status: "passed", assertionResults: [{ status: "passed", fullName: "a works" }] },
        {
          name: `${process.cwd()}/tests/unit/b.test.ts`,
          status: "failed",
          assertionResults: [
            { status: "passed", fullName: "b one" },
            { status: "failed", fullName: "b two", failureMessages: ["\u001b[31mAssertionError: expected 4 to be 2\u001b[39m\n    at stack"] },
          ],
        },
        { name: `${process.cwd()}/tests/unit/c.test.ts`, status: "failed", message: "Failed to load ./missing\nmore", assertionResults: [] },
      ],
    });
    expect(c).toEqual({
      passed: 3,
      failed: 2,
      failures: ["tests/unit/b.test.ts › b two: AssertionError: expected 4 to be 2", "tests/unit/c.test.ts: Failed to load ./missing"],
    });
  });

  it("playwright: unexpected and flaky tests with their describe path; run errors too", () => {
    const test = (status: string, message?: string) => ({ status, results: [{ error: message ? { message } : undefined }] });
    const c = playwrightCount({
      stats: { expected: 2, unexpected: 1, flaky: 1 },
      errors: [{ message: "Error: webServer exited early\nlog" }],
      suites: [
        {
          title: "grid.spec.ts",
          file: "grid.spec.ts",
          specs: [{ title: "shows cards", file: "grid.spec.ts", tests: [test("expected")] }],
          suites: [
            {
              title: "reset",
              specs: [
                { title: "one click", file: "grid.spec.ts", tests: [test("unexpected", "Timed out 5000ms waiting for expect(locator).toBeVisible()")] },
                { title: "bulk", file: "grid.spec.ts", tests: [test("flaky", "first try failed")] },
                { title: "dialog", file: "grid.spec.ts", tests: [test("expected")] },
              ],
            },
          ],
        },
      ],
    });
    expect(c.passed).toBe(2);
    expect(c.failed).toBe(2);
    expect(c.failures).toEqual([
      "run: Error: webServer exited early",
      "grid.spec.ts › reset › one click (unexpected): Timed out 5000ms waiting for expect(locator).toBeVisible()",
      "grid.spec.ts › reset › bulk (flaky): first try failed",
    ]);
  });
});
