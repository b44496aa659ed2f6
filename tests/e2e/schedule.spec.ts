import { expect, test } from "@playwright/test";
import { card, login, ownApp, SHOTS } from "./app";
import { configFile } from "./config-file";

// The daily reset, for real: the rule's time is the next whole minute at least 75 s away (the
// server's first look, 30 s after its start, must come before it: a rule first seen after its slot
// waits for the next day). The demo room is frozen: retro-05 and retro-10 are off, the others up.
const env = { COWHERD_SIM_ACTIVITY: "0", COWHERD_SIM_STEP_MS: "50" };
const slot = new Date(Math.ceil((Date.now() + 75_000) / 60_000) * 60_000);
const at = `${String(slot.getHours()).padStart(2, "0")}:${String(slot.getMinutes()).padStart(2, "0")}`;
const app = ownApp({ ...env, COWHERD_CONFIG: configFile({ schedule: { dailyReset: { at }, draftCleanup: { days: 14 } } }, env) });

test.describe.configure({ timeout: 240_000 });

test("the daily reset runs at its time: resets the PC that is off, skips the kept one and those up, says so on Settings and in the history", async ({
  page,
}) => {
  await login(page, app.url);
  const kept = await page.request.put(`${app.url}/api/machines/10/keep`, { headers: { origin: app.url }, data: { reason: "installer" } });
  expect(kept.status()).toBe(200);

  await page.goto(app.url + "/settings");
  const daily = page.getByTestId("schedule-daily-reset");
  await expect(daily).toContainText("Daily reset on");
  await expect(daily).toContainText(`Every day at ${at} (server time,`);
  await expect(daily).toContainText(/Next run: \S+ \S+\s*in (\d+ s|[12] min)/);
  await expect(page.getByTestId("schedule-after-off")).toContainText("Reset after off off");
  await expect(page.getByTestId("schedule-draft-cleanup")).toContainText("untouched (no start, no boot of its update PC) for 14 day(s)");
  const api = await page.request.get(`${app.url}/api/schedule`);
  expect(api.status()).toBe(200);
  const rules = (await api.json()).rules as { rule: string; configured: boolean; nextRun: number | null }[];
  expect(rules.map((r) => [r.rule, r.configured])).toEqual([
    ["daily-reset", true],
    ["after-off", false],
    ["draft-cleanup", true],
  ]);
  expect(rules[0]!.nextRun).toBe(slot.getTime());

  // Before its time the rule has only been set up; after it, one run did the work.
  await expect(async () => {
    await page.reload();
    await expect(daily).toContainText("Rule set up: its first run is at the next", { timeout: 2_000 });
  }).toPass({ timeout: 70_000, intervals: [5_000] });
  expect(Date.now()).toBeLessThan(slot.getTime());
  await expect(async () => {
    await page.reload();
    await expect(daily).toContainText("Reset 1 PC(s): retro-05;", { timeout: 2_000 });
  }).toPass({ timeout: 150_000, intervals: [5_000] });
  await expect(daily).toContainText("skipped 1 kept: retro-10");
  await expect(daily).toContainText(/skipped 12 up \(never reset by a schedule\): retro-01, retro-02, retro-03, retro-04, retro-06/);
  await expect(daily).not.toContainText("Ran late");
  await expect(daily).toContainText(/Next run: \S+ \S+\s*in (23 h 5\d|24 h 00) min/); // tomorrow, same time
  await page.screenshot({ path: `${SHOTS}/schedule-settings.png`, fullPage: true });

  await daily.getByRole("link", { name: "history" }).click();
  await expect(page).toHaveURL(/\/history\?source=schedule$/);
  const rows = page.getByRole("row");
  await expect(rows).toHaveCount(2); // header + retro-05
  await expect(rows.nth(1)).toContainText("retro-05");
  await expect(rows.nth(1)).toContainText(`schedule (daily ${at})`);

  await page.goto(app.url);
  await expect(card(page, "retro-05").getByTestId("reset-line")).toHaveText(/^Last reset .+ ago \(\d+\.\d s\)$/);
  await expect(card(page, "retro-10").getByTestId("kept")).toHaveText("Kept");
});
