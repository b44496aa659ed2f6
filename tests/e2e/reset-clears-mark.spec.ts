import { expect, test } from "@playwright/test";
import { card, login, ownApp } from "./app";

// The demo room, frozen: retro-02 is running (its session open).
const app = ownApp({ COWHERD_SIM_ACTIVITY: "0", COWHERD_SIM_STEP_MS: "50" });

test("a reset done now clears the PC's reset at next boot: the card's mark goes, and stays gone", async ({ page }) => {
  await login(page, app.url);
  await expect(card(page, "retro-02").getByTestId("boot-state")).toHaveText("Online");
  await page.getByRole("button", { name: "Reset retro-02" }).click();
  await page.getByRole("dialog", { name: "Reset retro-02?" }).getByRole("button", { name: "Reset at next boot" }).click();
  const pending = card(page, "retro-02").getByTestId("pending-reset");
  await expect(pending).toContainText(/Resets at its next boot/);
  // Nobody is using it after all: the admin resets it now.
  await page.getByRole("button", { name: "Reset retro-02" }).click();
  await page.getByRole("dialog", { name: "Reset retro-02?" }).getByRole("button", { name: "Reset now anyway" }).click();
  await expect(card(page, "retro-02").getByRole("meter").first()).toHaveAttribute("aria-valuenow", "0");
  await expect(pending).toHaveCount(0);
  // Still gone after a reload (the mark is gone from the database, not just from the screen).
  await page.reload();
  await expect(card(page, "retro-02").getByTestId("boot-state")).toHaveText("Online");
  await expect(card(page, "retro-02").getByTestId("pending-reset")).toHaveCount(0);
  const machines = await page.request.get(app.url + "/api/machines");
  const m = ((await machines.json()) as { machines: { id: number; pendingReset: unknown }[] }).machines.find((x) => x.id === 2)!;
  expect(m.pendingReset).toBeNull();
});
