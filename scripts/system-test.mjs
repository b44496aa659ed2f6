#!/usr/bin/env node
// @ts-check
// `npm run test:system`: proves the helper and the app's real host path on a real kernel. Installs
// QEMU if missing, builds (or reuses) the Debian guest, builds the app when there is no build, boots
// the guest with the project tree shared read-only and runs tests/system/scenario.mjs in it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildBundles } from "./build.mjs";
import { buildGuest } from "./guest/build-guest.mjs";
import { ensureQemu, runGuest } from "./guest/run-guest.mjs";

/** Scenarios that run only the helper: they need its bundle, not the Next build. */
const HELPER_ONLY = new Set(["conformance", "reliability", "datapath", "gamedisk"]);

export async function prepareGuest(scenario = "system") {
  if (!ensureQemu()) process.exit(1);
  // The guest runs the app from this tree: the Next build when there is none, the bundles always.
  if (!HELPER_ONLY.has(scenario) && !existsSync(".next/BUILD_ID")) {
    console.log("cowherd: no build yet: building the app for the guest (about a minute)…");
    if (spawnSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" }).status !== 0) process.exit(1);
  } else await buildBundles();
  const cacheDir = path.resolve(process.env.COWHERD_CACHE_DIR ?? ".cache", "guest");
  mkdirSync(cacheDir, { recursive: true });
  const guest = buildGuest(cacheDir);
  const files = Object.fromEntries(
    readdirSync("tests/system")
      .filter((f) => f.endsWith(".mjs"))
      .map((f) => [`cowherd/${f}`, { data: readFileSync(path.join("tests/system", f)) }]),
  );
  return { guest, files, cacheDir };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const scenario = process.argv[2] ?? "system";
  const { guest, files, cacheDir } = await prepareGuest(scenario);
  // The whole system test, or one scenario of tests/system/scenario.mjs while working on it.
  // 60 minutes: the whole test takes ≈ 20 under TCG on an idle machine (the conformance suite ≈ 5 of
  // them), over 30 on one whose cores other work shares.
  const res = await runGuest(guest, { scenario, files, workDir: cacheDir, smp: 2, timeoutMs: 60 * 60_000 });
  const checks = res.tagged.filter((t) => t.tag === "COWHERD-CHECK").map((t) => t.data);
  for (const c of checks) console.log(`${c.ok ? "  ✓" : "  ✗"} ${c.name}${c.ok ? "" : `\n      ${JSON.stringify(c.detail).slice(0, 1500)}`}`);
  for (const m of res.tagged.filter((t) => t.tag === "COWHERD-MEASURE").map((t) => t.data)) console.log(`  measured: ${m.name}: ${m.ms} ms`);
  const passed = checks.filter((c) => c.ok).length;
  let failed = checks.length - passed;
  const summary = res.tagged.find((t) => t.tag === "COWHERD-SUMMARY");
  if (!summary || res.exitCode !== 0) {
    console.log(
      `system test did not finish cleanly (accel ${res.accel}, ${res.reason}, exit ${res.exitCode}); last console lines:\n${res.log.split("\n").slice(-30).join("\n")}`,
    );
    failed += 1;
  }
  const failures = checks.filter((c) => !c.ok).map((c) => `${c.name}: ${JSON.stringify(c.detail).slice(0, 300)}`);
  if (!summary || res.exitCode !== 0) failures.push(`did not finish cleanly: ${res.reason}, exit ${res.exitCode}`);
  console.log(`system test: ${res.accel}, ${res.seconds.toFixed(1)} s in the guest`);
  mkdirSync("test-results", { recursive: true });
  writeFileSync("test-results/system.json", JSON.stringify({ passed, failed, failures }));
  // The conformance suite's real side, per scenario, to set beside the simulated kernel's (tests/unit/conformance.test.ts).
  const conformance = res.tagged.filter((t) => t.tag === "COWHERD-CONFORMANCE").map((t) => t.data);
  if (conformance.length) writeFileSync("test-results/conformance-real.json", JSON.stringify(conformance, null, 1));
  console.log(`system: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
