// @ts-check
// Issue 19's kept PC and scheduled reset through the web app's real host path: a bulk reset leaves a
// kept PC's COW as it is, and the daily reset runs at its time on the real kernel (resets the PC
// that is off, skips the kept one).
import { check } from "./checks.mjs";
import { apiSession, compareWithMaster, qemuIo, sleep, startApp, writeConfig } from "./guest-lib.mjs";
import { PCS } from "./system-helper.mjs";

/** @typedef {import("./guest-lib.mjs").Row} Row */

/** PC 2's pattern, written into its COW: still there means its changes were kept. */
const kept2 = () => qemuIo("retrocow2", "read -P 0x52 8M 1M").ok;

export async function keepScheduleChecks() {
  // The daily time: the next whole minute at least 2 min away, so the app's first look (30 s after
  // its start, which takes tens of seconds under TCG) comes before it: a rule first seen after its
  // slot waits for the next day. The guest's clock and the app's share one time zone.
  const slot = new Date(Math.ceil((Date.now() + 120_000) / 60_000) * 60_000);
  const at = `${String(slot.getHours()).padStart(2, "0")}:${String(slot.getMinutes()).padStart(2, "0")}`;
  writeConfig(PCS, { schedule: { dailyReset: { at } } });
  const app = await startApp();
  const api = await apiSession(app.url);

  const keep = await api.put("/api/machines/2/keep", { reason: "driver installer" });
  check("keep PC 2 through the API", keep.status === 200 && keep.json?.kept?.reason === "driver installer", keep);
  qemuIo("retrocow1", "write -P 0x51 8M 1M");
  qemuIo("retrocow2", "write -P 0x52 8M 1M");
  const bulk = await api.reset([1, 2, 3]);
  check(
    "a bulk reset of PCs 1-3 resets 1 and 3, names PC 2 as kept and leaves its COW as it was",
    bulk.kept?.join() === "2" &&
      (bulk.job.machines ?? []).map((/** @type {Row} */ m) => m.id).join() === "1,3" &&
      bulk.job.summary.ok === 2 &&
      compareWithMaster("retrocow1").identical &&
      kept2(),
    { kept: bulk.kept, job: bulk.job },
  );

  // Dirty again, then off (no session): the daily reset must clean PC 1 and leave PC 2 alone.
  qemuIo("retrocow1", "write -P 0x51 8M 1M");
  check("the daily rule is set up before its time, not run", Date.now() < slot.getTime(), { now: Date.now(), slot: slot.getTime() });
  /** @type {Row | undefined} */
  let rule;
  const end = slot.getTime() + 120_000;
  while (Date.now() < end) {
    rule = ((await api.get("/api/schedule")).json?.rules ?? []).find((/** @type {Row} */ r) => r.rule === "daily-reset");
    if (rule?.last?.batchId) break;
    await sleep(2_000);
  }
  const summary = rule?.last?.summary ?? "";
  check(
    `the daily reset at ${at} ran once at its time: resets PC 1 (off) and names PC 2 as kept`,
    !!rule?.last?.batchId && rule.last.ranAt >= slot.getTime() && /^Reset 2 PC\(s\): pc1, pc3; skipped 1 kept: pc2\.$/.test(summary),
    rule,
  );
  // Its job may still be running when the summary is written: wait for the history rows.
  /** @type {Row[]} */
  let rows = [];
  for (let i = 0; i < 60 && !(rows.length === 2 && rows.every((r) => r.result !== "running")); i++) {
    rows = (await api.get("/api/history?source=schedule")).json?.resets ?? [];
    if (rows.length < 2 || rows.some((r) => r.result === "running")) await sleep(1_000);
  }
  check(
    "its resets are in the history with source schedule and the rule as who asked; PC 1 is the master again, PC 2 kept its data",
    rows.length === 2 &&
      rows.every((r) => r.result === "ok" && r.requestedBy === `schedule (daily ${at})` && r.machineId !== 2) &&
      compareWithMaster("retrocow1").identical &&
      kept2(),
    rows,
  );
  const unkeep = await api.del("/api/machines/2/keep");
  check("unkeep PC 2", unkeep.status === 200, unkeep);
  await app.stop();
}
