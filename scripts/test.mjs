#!/usr/bin/env node
// @ts-check
// `npm test`: the whole suite. Installs what the tests need when it is missing (Debian's Chromium
// for the browser tests, QEMU and the guest's Debian packages for the system test), says so, then
// runs lint (Biome: rules and formatting), typecheck, unit/API tests, a production build, browser
// tests, the real-kernel system test and the room test (nasm is installed for it when missing).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { ensureDebianPackages, hasFile } from "./debian-packages.mjs";
import { freePort } from "./free-port.mjs";

/** @type {{ label: string, passed: number, failed: number }[]} */
const results = [];
/** @type {(label: string, cmd: string, args: string[], opts?: import("node:child_process").SpawnSyncOptions) => boolean} */
const run = (label, cmd, args, opts = {}) => {
  console.log(`\n── ${label} ──`);
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  return r.status === 0;
};

/** @param {string} label @param {string} config */
function vitest(label, config) {
  mkdirSync("test-results", { recursive: true });
  const out = `test-results/${label}.json`;
  const ok = run(label, process.execPath, ["node_modules/vitest/vitest.mjs", "run", "-c", config, "--reporter=default", "--reporter=json", `--outputFile.json=${out}`]);
  let passed = 0;
  let failed = ok ? 0 : 1;
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, "utf8"));
    passed = j.numPassedTests;
    failed = j.numFailedTests + (ok || j.numFailedTests ? 0 : 1);
  }
  results.push({ label, passed, failed });
}

const only = process.argv.slice(2);
/** @param {string} part */
const want = (part) => only.length === 0 || only.includes(part);

if (want("unit")) {
  ensureDebianPackages([["sudo", hasFile("/usr/sbin/visudo")]], "the sudoers check");
  // The same check as `npm run lint`; `npm run format` fixes what is only formatting.
  const linted = run("lint (Biome)", process.execPath, ["node_modules/@biomejs/biome/bin/biome", "check", "--error-on-warnings"]);
  results.push({ label: "lint", passed: linted ? 1 : 0, failed: linted ? 0 : 1 });
  const typed = run("typecheck", process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit"]);
  results.push({ label: "typecheck", passed: typed ? 1 : 0, failed: typed ? 0 : 1 });
  vitest("unit", "vitest.config.mts");
}
if (want("e2e")) {
  const built = run("build", process.execPath, ["scripts/build.mjs"]);
  const browser = ensureDebianPackages([["chromium", hasFile("/usr/bin/chromium")]], "the browser tests");
  if (built && browser) {
    // For the run's webServer.
    const port = await freePort();
    // CI=1: a stray test.only fails the run (playwright.config.ts never retries, CI or not).
    const ok = run("e2e (Playwright, Debian's Chromium)", process.execPath, ["node_modules/@playwright/test/cli.js", "test"], { env: { ...process.env, CI: process.env.CI ?? "1", E2E_PORT: String(port) } });
    let counts = { passed: 0, failed: ok ? 0 : 1 };
    if (existsSync("test-results/e2e.json")) {
      const s = JSON.parse(readFileSync("test-results/e2e.json", "utf8")).stats;
      // A flaky test (passed only on a retry) is a failure, not a pass.
      counts = { passed: s.expected, failed: s.unexpected + s.flaky + (ok || s.unexpected || s.flaky ? 0 : 1) };
    }
    results.push({ label: "e2e", ...counts });
  } else results.push({ label: "e2e", passed: 0, failed: 1 });
}
if (want("system")) {
  const ok = run("system test (QEMU guest, real kernel)", process.execPath, ["scripts/system-test.mjs"]);
  let counts = { passed: ok ? 1 : 0, failed: ok ? 0 : 1 };
  if (existsSync("test-results/system.json")) counts = JSON.parse(readFileSync("test-results/system.json", "utf8"));
  results.push({ label: "system", ...counts, failed: counts.failed + (ok || counts.failed ? 0 : 1) });
}

if (want("room")) {
  const ok = run("room test (storage guest, diskless iPXE PCs, Chromium)", process.execPath, ["scripts/room-test.mjs"]);
  let counts = { passed: ok ? 1 : 0, failed: ok ? 0 : 1 };
  if (existsSync("test-results/room.json")) counts = JSON.parse(readFileSync("test-results/room.json", "utf8"));
  results.push({ label: "room", passed: counts.passed, failed: counts.failed + (ok || counts.failed ? 0 : 1) });
}

console.log("\n── summary ──");
for (const r of results) console.log(`${r.label.padEnd(10)} ${r.passed} passed, ${r.failed} failed`);
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
console.log(`cowherd: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
