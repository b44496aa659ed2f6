// @ts-check
// Run inside the guest by scripts/system-test.mjs (and by the bench): `node scenario.mjs <name>`.
import { emit } from "./guest-lib.mjs";
import { summary } from "./checks.mjs";

/** What a part run on its own needs first: the OS set up, a master, tgtd, the helper installed. */
async function alone() {
  const { setupOs, writeMaster, startTgtd, installHelper } = await import("./guest-lib.mjs");
  setupOs();
  writeMaster();
  await startTgtd();
  installHelper();
}

/** @type {Record<string, () => Promise<void>>} */
const scenarios = {
  /** The helper as root runs it (one-shot verbs), then the web app's real host path. */
  async system() {
    const { helperChecks } = await import("./system-helper.mjs");
    const { faultChecks } = await import("./system-faults.mjs");
    const { appChecks } = await import("./system-app.mjs");
    const { autoextendChecks } = await import("./system-autoextend.mjs");
    const { reliabilityChecks } = await import("./system-reliability.mjs");
    await helperChecks();
    await reliabilityChecks();
    await faultChecks();
    await appChecks();
    const { keepScheduleChecks } = await import("./system-keep-schedule.mjs");
    await keepScheduleChecks();
    await autoextendChecks();
    const { imageChecks, reflinkChecks } = await import("./system-images.mjs");
    await imageChecks();
    await reflinkChecks();
    const { groupChecks } = await import("./system-groups.mjs");
    await groupChecks();
    const { gameDiskChecks } = await import("./system-gamedisk.mjs");
    await gameDiskChecks();
    const { conformanceChecks } = await import("./conformance-real.mjs");
    await conformanceChecks();
    summary();
  },
  /** PC groups alone (issue 19): `node scripts/system-test.mjs groups`. */
  async groups() {
    const { groupChecks } = await import("./system-groups.mjs");
    const { writeConfig, helper } = await import("./guest-lib.mjs");
    const { PCS } = await import("./system-helper.mjs");
    await alone();
    writeConfig(PCS);
    helper("up");
    await groupChecks();
    summary();
  },
  /** The shared game disk alone (issue 19 item 2): `node scripts/system-test.mjs gamedisk`. */
  async gamedisk() {
    const { gameDiskChecks } = await import("./system-gamedisk.mjs");
    await alone();
    await gameDiskChecks();
    summary();
  },
  /** The conformance suite alone (tests/system/conformance.mjs on the real kernel). */
  async conformance() {
    const { conformanceChecks } = await import("./conformance-real.mjs");
    await alone();
    await conformanceChecks();
    summary();
  },
  /** Auto-extend alone (for working on it: `node scripts/system-test.mjs autoextend`). */
  async autoextend() {
    const { autoextendChecks } = await import("./system-autoextend.mjs");
    await alone();
    await autoextendChecks();
    summary();
  },
  /** The app started twice in one boot, as the whole test does (system-app, then auto-extend). */
  async apps() {
    const { appChecks } = await import("./system-app.mjs");
    const { autoextendChecks } = await import("./system-autoextend.mjs");
    const { writeConfig, helper } = await import("./guest-lib.mjs");
    const { PCS } = await import("./system-helper.mjs");
    await alone();
    writeConfig(PCS);
    helper("up");
    await appChecks();
    await autoextendChecks();
    summary();
  },
  /** A kept PC and the daily reset through the app (issue 19), alone: `node scripts/system-test.mjs keep-schedule`. */
  async "keep-schedule"() {
    const { keepScheduleChecks } = await import("./system-keep-schedule.mjs");
    const { writeConfig, helper } = await import("./guest-lib.mjs");
    const { PCS } = await import("./system-helper.mjs");
    await alone();
    writeConfig(PCS);
    helper("up");
    await keepScheduleChecks();
    summary();
  },
  /** Issue 16's storage items alone: up killed at each step, reset under a session, the dm worker killed. */
  async reliability() {
    const { reliabilityChecks } = await import("./system-reliability.mjs");
    await alone();
    await reliabilityChecks();
    summary();
  },
  /** The room's storage host, driven from outside by scripts/room-test.mjs. */
  async room() {
    const { room } = await import("./room-storage.mjs");
    await room();
  },
  async bench() {
    const { bench } = await import("./bench-scenario.mjs");
    await bench();
  },
  /** The data path (reads and first writes through tgt and straight from the devices), for scripts/bench.mjs. */
  async datapath() {
    const { datapath } = await import("./bench-datapath.mjs");
    await datapath();
  },
};

const which = process.argv[2] || "system";
try {
  const run = scenarios[which];
  if (!run) throw new Error(`no scenario ${which}`);
  await run();
} catch (e) {
  emit("CHECK", { name: `scenario ${which} crashed`, ok: false, detail: String(e instanceof Error ? e.stack : e) });
  process.exitCode = 1;
}
process.exit(process.exitCode ?? 0);
