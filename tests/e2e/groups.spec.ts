import { expect, type Page, test } from "@playwright/test";
import { card, login, ownApp, SHOTS, sideways, usage } from "./app";

// The demo room is two PC groups, each on its own master: retro-01..10 "Retro PCs", retro-11..14
// "Newer PCs" (lib/config/demo.ts). Frozen: PCs 5 and 10 are off, the others running.
const env = { COWHERD_SIM_ACTIVITY: "0", COWHERD_SIM_STEP_MS: "50" };

/** The resets in the history (GET /api/history), their PCs' ids in order. */
async function resetIds(page: Page, url: string): Promise<number[]> {
  const r = await page.request.get(`${url}/api/history?pageSize=100`);
  expect(r.status()).toBe(200);
  return ((await r.json()) as { resets: { machineId: number }[] }).resets.map((x) => x.machineId).sort((a, b) => a - b);
}

test.describe("Images page and Group filter", () => {
  const app = ownApp(env);

  test("two groups: the Images page has a section per group with its own PCs; the Group filter picks one group and its PCs are bulk reset alone", async ({
    page,
  }) => {
    await login(page, app.url);
    await page.goto(app.url + "/images");
    const retro = page.getByRole("region", { name: "Retro PCs" });
    const newer = page.getByRole("region", { name: "Newer PCs" });
    await expect(retro).toContainText("10 (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)");
    await expect(newer).toContainText("4 (11, 12, 13, 14)");
    await page.screenshot({ path: `${SHOTS}/groups-images-laptop.png`, fullPage: true });

    await page.goto(app.url);
    await page.getByLabel("Group").selectOption({ label: "Newer PCs" });
    await expect(page.getByTestId("shown-count")).toHaveText("4 of 14 shown");
    await expect(card(page, "retro-01")).toHaveCount(0);
    await page.getByRole("checkbox", { name: "Select all 4 PCs shown" }).check();
    await page.getByRole("button", { name: "Reset selected (4)" }).click();
    await page.getByRole("dialog", { name: "Reset 4 PCs?" }).getByRole("button", { name: "Reset now anyway" }).click();
    await expect(page.getByText("Bulk reset: 4 of 4 succeeded")).toBeVisible();
    for (const n of ["retro-11", "retro-12", "retro-13", "retro-14"])
      await expect(card(page, n).getByRole("meter").first()).toHaveAttribute("aria-valuenow", "0");
    await page.getByLabel("Group").selectOption({ label: "All groups" });
    await expect(page.getByTestId("shown-count")).toHaveText("14 PCs");
    await expect(card(page, "retro-03").getByTestId("reset-line")).toHaveText("Last reset never");

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/groups-grid-phone.png` });
  });
});

test.describe("Reset all before the event, one group", () => {
  // retro-12 and retro-14 (Newer PCs) are off too, so the event resets some of the group now.
  const app = ownApp({ ...env, COWHERD_SIM_INIT: JSON.stringify({ "12": { online: false }, "14": { online: false } }) });

  test("'Reset all before the event' for one group: only its PCs are reset (the off ones now, the running ones at next boot), its kept PC is named and left alone", async ({
    page,
  }) => {
    await login(page, app.url);
    const kept = await page.request.put(`${app.url}/api/machines/13/keep`, { headers: { origin: app.url }, data: { reason: "installer" } });
    expect(kept.status()).toBe(200);
    await page.goto(app.url);
    const retro03 = await usage(page, "retro-03");
    expect(retro03).toBeGreaterThan(0);
    expect(await usage(page, "retro-12")).toBeGreaterThan(0);

    await page.getByRole("button", { name: "Reset all before the event" }).click();
    let dialog = page.getByRole("dialog", { name: "Reset all 14 PCs before the event?" });
    const which = dialog.getByRole("group", { name: "Which PCs" });
    await expect(which.getByRole("radio", { name: "All PCs (14)" })).toBeChecked();
    await which.getByRole("radio", { name: "Newer PCs (4)" }).check();
    dialog = page.getByRole("dialog", { name: "Reset 4 PCs (Newer PCs) before the event?" });
    await expect(dialog).toContainText(/Reset now \(2\): retro-12, retro-14/);
    await expect(dialog).toContainText(/Up right now \(1\): retro-11/);
    await expect(dialog.getByTestId("kept-skipped")).toContainText("Kept, left alone (1): retro-13");
    await expect(dialog).not.toContainText("retro-05");
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.screenshot({ path: `${SHOTS}/groups-event-laptop.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/groups-event-phone.png` });
    await page.setViewportSize({ width: 1366, height: 768 });

    await dialog.getByRole("button", { name: "Reset the others now, these at next boot" }).click();
    await expect(page.getByText("Bulk reset: 2 of 2 succeeded")).toBeVisible();
    await expect(page.getByTestId("deferred")).toContainText("At their next boot: retro-11");
    await expect(page.getByTestId("deferred")).toContainText("Left alone (kept, its changes are kept): retro-13");
    // What happened, read back: the history has the group's two off PCs and nothing else; their disks are fresh.
    expect(await resetIds(page, app.url)).toEqual([12, 14]);
    for (const n of ["retro-12", "retro-14"]) await expect(card(page, n).getByRole("meter")).toHaveAttribute("aria-valuenow", "0");
    await expect(card(page, "retro-11").getByTestId("pending-reset")).toBeVisible();
    await expect(card(page, "retro-13").getByTestId("pending-reset")).toHaveCount(0);
    // The other group is untouched: its off PCs not reset, its running ones not marked, its disks as they were.
    for (const n of ["retro-05", "retro-10", "retro-03"]) await expect(card(page, n).getByTestId("reset-line")).toHaveText("Last reset never");
    for (const n of ["retro-01", "retro-07"]) await expect(card(page, n).getByTestId("pending-reset")).toHaveCount(0);
    expect(await usage(page, "retro-03")).toBe(retro03);
  });
});

test.describe("Prepare, one group", () => {
  const app = ownApp(env);

  test("Prepare chooses one group's PCs, names the group and the count, and resets only them", async ({ page }) => {
    await login(page, app.url);
    await page.goto(app.url + "/prepare");
    const choose = page.getByRole("region", { name: "Choose the PCs" });
    await choose.getByRole("button", { name: "Newer PCs (4)" }).click();
    await expect(choose.getByRole("button", { name: "Newer PCs (4)" })).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByTestId("chosen-count")).toHaveText("4");
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.screenshot({ path: `${SHOTS}/groups-prepare-laptop.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/groups-prepare-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.getByRole("button", { name: "Next: reset 4 PCs (Newer PCs)" }).click();
    await expect(page.getByTestId("prepare-group")).toHaveText("Newer PCs: the group’s 4 PCs");
    // All four run: each at its next boot, none now.
    await page.getByRole("button", { name: "Reset 0 now, 4 at next boot" }).click();
    await expect(page.getByTestId("prepare-reset")).toContainText("At their next boot: retro-11, retro-12, retro-13, retro-14");
    await page.goto(app.url);
    for (const n of ["retro-11", "retro-12", "retro-13", "retro-14"]) await expect(card(page, n).getByTestId("pending-reset")).toBeVisible();
    for (const n of ["retro-01", "retro-09"]) await expect(card(page, n).getByTestId("pending-reset")).toHaveCount(0);
    expect(await resetIds(page, app.url)).toEqual([]);
  });
});
