#!/usr/bin/env node
// @ts-check
// `npm test`: the whole suite. Installs what the tests need when it is missing (Debian's Chromium
// for the browser tests, QEMU and the guest's Debian packages for the system test), says so, then
// runs lint (Biome: rules and formatting), typecheck, unit/API tests, a production build, browser
// tests, the real-kernel system test and the room test (nasm is installed for it when missing).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { ensureDebianPackages, hasFile } from "./debian-packages.mjs";
import { freePort } from "./free-port.mjs";
import { playwrightCount, vitestCount } from "./test-report.mjs";

/** @typedef {import("./test-report.mjs").Count} Count */
/** @type {(Count & { label: string })[]} */
const results = [];
/** @type {(label: string, cmd: string, args: string[], opts?: import("node:child_process").SpawnSyncOptions) => boolean} */
const run = (label, cmd, args, opts = {}) => {
  console.log(`\n── ${label} ──`);
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  return r.status === 0;
};

/**
 * Runs one part (a Node script) and counts it from the results file it writes. The file is removed
 * first, so a run that dies before writing it is never counted with an earlier run's numbers; a
 * part that exits non-zero counts at least one failure, and one that passes without a file one pass.
 * @param {string} label the summary's name @param {string} title @param {string[]} args
 * @param {string} file @param {(written: any) => Count} count
 * @param {import("node:child_process").SpawnSyncOptions} [opts]
 */
function counted(label, title, args, file, count, opts) {
  mkdirSync("test-results", { recursive: true });
  rmSync(file, { force: true });
  const ok = run(title, process.execPath, args, opts);
  /** @type {Count} */
  const c = existsSync(file) ? count(JSON.parse(readFileSync(file, "utf8"))) : { passed: ok ? 1 : 0, failed: 0 };
  const exitOnly = ok || c.failed ? [] : [`${title} exited non-zero without a failed test (see its output above)`];
  results.push({ label, passed: c.passed, failed: c.failed + exitOnly.length, failures: [...(c.failures ?? []), ...exitOnly] });
}
/** @type {(written: Count) => Count} */
const asWritten = ({ passed, failed, failures }) => ({ passed, failed, failures });

const only = process.argv.slice(2);
/** @param {string} part */
const want = (part) => only.length === 0 || only.includes(part);

if (want("unit")) {
  ensureDebianPackages([["sudo", hasFile("/usr/sbin/visudo")]], "the sudoers check");
  // The same check as `npm run lint`; `npm run format` fixes what is only formatting.
  const linted = run("lint (Biome)", process.execPath, ["node_modules/@biomejs/biome/bin/biome", "check", "--error-on-warnings"]);
  results.push({
    label: "lint",
    passed: linted ? 1 : 0,
    failed: linted ? 0 : 1,
    failures: linted ? [] : ["Biome found problems (npm run lint; npm run format fixes formatting)"],
  });
  const typed = run("typecheck", process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit"]);
  results.push({ label: "typecheck", passed: typed ? 1 : 0, failed: typed ? 0 : 1, failures: typed ? [] : ["tsc --noEmit found errors (above)"] });
  const out = "test-results/unit.json";
  const args = ["node_modules/vitest/vitest.mjs", "run", "-c", "vitest.config.mts", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`];
  counted("unit", "unit", args, out, vitestCount);
}
if (want("e2e")) {
  const built = run("build", process.execPath, ["scripts/build.mjs"]);
  const browser = ensureDebianPackages([["chromium", hasFile("/usr/bin/chromium")]], "the browser tests");
  if (built && browser) {
    // For the run's webServer.
    const port = await freePort();
    // CI=1: a stray test.only fails the run (playwright.config.ts never retries, CI or not).
    const env = { ...process.env, CI: process.env.CI ?? "1", E2E_PORT: String(port) };
    counted("e2e", "e2e (Playwright, Debian's Chromium)", ["node_modules/@playwright/test/cli.js", "test"], "test-results/e2e.json", playwrightCount, { env });
  } else results.push({ label: "e2e", passed: 0, failed: 1, failures: [built ? "Chromium could not be installed" : "the production build failed"] });
}
if (want("system")) {
  counted("system", "system test (QEMU guest, real kernel)", ["scripts/system-test.mjs"], "test-results/system.json", asWritten);
}

if (want("room")) {
  counted("room", "room test (storage guest, diskless iPXE PCs, Chromium)", ["scripts/room-test.mjs"], "test-results/room.json", asWritten);
}

console.log("\n── summary ──");
for (const r of results) console.log(`${r.label.padEnd(10)} ${r.passed} passed, ${r.failed} failed`);
// CI keeps only the end of the log: what failed is named here, last, so that end says it.
const failures = results.flatMap((r) => (r.failures ?? []).map((f) => `  ✗ ${r.label}: ${f}`));
if (failures.length) console.log(`\n── what failed ──\n${failures.join("\n")}`);
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
console.log(`cowherd: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
