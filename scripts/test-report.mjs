// @ts-check
// What each part of `npm test` passed and failed, read from its runner's JSON report, with the failed
// tests named: CI keeps only the end of the log, so the summary there must say what failed.

import { stripVTControlCharacters } from "node:util";

/** @typedef {{ passed: number, failed: number, failures?: string[] }} Count */

/** The first line of a failure's message, short: the summary names what failed, the log above says why. @param {unknown} m */
export const firstLine = (m) =>
  stripVTControlCharacters(String(m ?? ""))
    .trim()
    .split("\n")[0]
    ?.slice(0, 240) ?? "";

/**
 * Vitest's JSON report: the failed tests by file and full name, and files that failed without a test (an import error).
 * @param {{ numPassedTests: number, numFailedTests: number, testResults: { name: string, status: string, message?: string,
 *   assertionResults: { status: string, fullName: string, failureMessages?: string[] }[] }[] }} j
 * @returns {Count}
 */
export function vitestCount(j) {
  const failures = j.testResults.flatMap((f) => {
    const file = f.name.replace(`${process.cwd()}/`, "");
    const tests = f.assertionResults.filter((a) => a.status === "failed").map((a) => `${file} › ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
    return tests.length || f.status !== "failed" ? tests : [`${file}: ${firstLine(f.message)}`];
  });
  return { passed: j.numPassedTests, failed: j.numFailedTests + failures.filter((f) => !f.includes(" › ")).length, failures };
}

/**
 * Playwright's JSON report: a flaky test (passed only on a retry) is a failure, not a pass.
 * @typedef {{ title: string, file?: string, specs?: { title: string, file: string, tests: { status: string, results: { error?: { message?: string } }[] }[] }[], suites?: PwSuite[] }} PwSuite
 * @param {{ stats: { expected: number, unexpected: number, flaky: number }, suites: PwSuite[], errors?: { message?: string }[] }} j
 * @returns {Count}
 */
export function playwrightCount(j) {
  /** @type {string[]} */
  const failures = (j.errors ?? []).map((e) => `run: ${firstLine(e.message)}`);
  /** @param {PwSuite} s @param {string[]} path */
  const walk = (s, path) => {
    for (const spec of s.specs ?? [])
      for (const t of spec.tests)
        if (t.status === "unexpected" || t.status === "flaky")
          failures.push(`${spec.file} › ${[...path, spec.title].join(" › ")} (${t.status}): ${firstLine(t.results.at(-1)?.error?.message)}`);
    for (const c of s.suites ?? []) walk(c, [...path, c.title]);
  };
  for (const s of j.suites) walk(s, []);
  return { passed: j.stats.expected, failed: j.stats.unexpected + j.stats.flaky, failures };
}
