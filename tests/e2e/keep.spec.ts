import { expect, test, type Page } from "@playwright/test";
import { card, login, ownApp, SHOTS } from "./app";

// The demo room, frozen: retro-05 and retro-10 are off, the others running.
const app = ownApp({ COWHERD_SIM_ACTIVITY: "0", COWHERD_SIM_STEP_MS: "50" });

/** Keeps a PC from its own page, as an admin does. */
async function keepFromItsPage(page: Page, id: number, name: string, reason: string) {
  await page.goto(`${app.url}/machines/${id}`);
  const toggle = page.getByTestId("keep-toggle");
  await toggle.getByLabel("What for (optional)").fill(reason);
  await toggle.getByRole("button", { name: `Keep ${name}` }).click();
  await expect(toggle.getByTestId("kept-since")).toContainText(`Kept by admin`);
  await expect(toggle.getByTestId("kept-since")).toContainText(reason);
}

/** The test's starting point whatever ran before it: this PC not kept. */
async function notKept(page: Page, id: number) {
  const r = await page.request.delete(`${app.url}/api/machines/${id}/keep`, { headers: { origin: app.url } });
  expect([200, 404]).toContain(r.status());
}

test("a kept PC: its badge says what the mark means; a reset of it alone asks, says its changes go, and keeps the mark", async ({ page }) => {
  await login(page, app.url);
  await notKept(page, 5);
  await keepFromItsPage(page, 5, "retro-05", "driver installer");
  await page.goto(app.url);
  const badge = card(page, "retro-05").getByTestId("kept");
  await expect(badge).toHaveText("Kept");
  await expect(badge).toHaveAttribute("title", /retro-05 is kept: bulk resets, "Reset all before the event".*Kept by admin: driver installer/);
  await expect(card(page, "retro-06").getByTestId("kept")).toHaveCount(0);
  for (const [w, h, label] of [
    [1366, 768, "laptop"],
    [390, 844, "phone"],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await card(page, "retro-05").scrollIntoViewIfNeeded();
    await card(page, "retro-05").screenshot({ path: `${SHOTS}/kept-card-${label}.png` });
    const box = (await badge.boundingBox())!;
    const cardBox = (await card(page, "retro-05").boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(cardBox.x + cardBox.width);
    // The badge takes nobody's room: the address line beside the name is whole.
    expect(
      await card(page, "retro-05")
        .getByTestId("address")
        .evaluate((el) => el.scrollWidth <= el.clientWidth),
    ).toBe(true);
  }
  await page.setViewportSize({ width: 1366, height: 768 });

  await page.getByRole("button", { name: "Reset retro-05" }).click();
  const dialog = page.getByRole("dialog", { name: "Reset retro-05?" });
  await expect(dialog.getByTestId("kept-warning")).toContainText("retro-05 is kept: its changes will be lost.");
  await page.screenshot({ path: `${SHOTS}/kept-confirm-laptop.png` });
  await dialog.getByRole("button", { name: "Confirm reset" }).click();
  await expect(card(page, "retro-05").getByTestId("reset-line")).toContainText(/Last reset \d+ s ago \(/);
  await expect(badge).toBeVisible();
});

test("a bulk reset leaves a kept PC alone and says so, in its dialog and its job line", async ({ page }) => {
  await login(page, app.url);
  await notKept(page, 5);
  await keepFromItsPage(page, 10, "retro-10", "tournament setup");
  await page.goto(app.url);
  await page.getByRole("checkbox", { name: "Select retro-05" }).check();
  await page.getByRole("checkbox", { name: "Select retro-10" }).check();
  await page.getByRole("button", { name: "Reset selected (2)" }).click();
  const dialog = page.getByRole("dialog", { name: "Reset 2 PCs?" });
  await expect(dialog.getByTestId("kept-skipped")).toContainText("Kept, left alone (1): retro-10");
  await dialog.getByRole("button", { name: "Confirm reset" }).click();
  await expect(page.getByText("Bulk reset: 1 of 1 succeeded")).toBeVisible();
  await expect(page.getByTestId("kept-skipped-line")).toContainText("Left alone (kept, its changes are kept): retro-10");
  await page.screenshot({ path: `${SHOTS}/kept-bulk-laptop.png` });
  await expect(card(page, "retro-10").getByTestId("reset-line")).toContainText("Last reset never");
});
