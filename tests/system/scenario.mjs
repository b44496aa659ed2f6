// Run inside the guest by scripts/system-test.mjs (and by the bench): `node scenario.mjs <name>`.
import { emit } from "./guest-lib.mjs";
import { summary } from "./checks.mjs";

const scenarios = {
  /** The helper as root runs it (one-shot verbs), then the web app's real host path. */
  async system() {
    const { helperChecks } = await import("./system-helper.mjs");
    const { faultChecks } = await import("./system-faults.mjs");
    const { appChecks } = await import("./system-app.mjs");
    await helperChecks();
    await faultChecks();
    await appChecks();
    const { imageChecks, reflinkChecks } = await import("./system-images.mjs");
    await imageChecks();
    await reflinkChecks();
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
};

const which = process.argv[2] || "system";
try {
  if (!scenarios[which]) throw new Error(`no scenario ${which}`);
  await scenarios[which]();
} catch (e) {
  emit("CHECK", { name: `scenario ${which} crashed`, ok: false, detail: String(e?.stack ?? e) });
  process.exitCode = 1;
}
process.exit(process.exitCode ?? 0);
