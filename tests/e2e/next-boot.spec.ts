import { expect, test } from "@playwright/test";
import { get } from "../helpers/http";
import { card, login, ownApp, SHOTS } from "./app";

// The demo room, frozen: retro-05 and retro-10 are off, the others running (their sessions open).
// Only iPXE's own requests (its User-Agent) record a boot or run a pending reset.
const IPXE = { "user-agent": "iPXE/1.21.1" };
const app = ownApp({ COWHERD_SIM_ACTIVITY: "0", COWHERD_SIM_STEP_MS: "50" });

test("a running PC is reset at its next boot: marked on its card, cancellable, then done by its boot script", async ({ page }) => {
  await login(page, app.url);
  await expect(card(page, "retro-02").getByTestId("boot-state")).toHaveText("Online");
  await page.getByRole("button", { name: "Reset retro-02" }).click();
  await page.getByRole("dialog", { name: "Reset retro-02?" }).getByRole("button", { name: "Reset at next boot" }).click();
  const pending = card(page, "retro-02").getByTestId("pending-reset");
  await expect(pending).toContainText(/Resets at its next boot \(asked by admin \d+ s ago\)/);
  await page.screenshot({ path: `${SHOTS}/next-boot-laptop.png` });
  await pending.getByRole("button", { name: "Cancel the reset at next boot of retro-02" }).click();
  await expect(pending).toHaveCount(0);
  await page.getByRole("button", { name: "Reset retro-02" }).click();
  await page.getByRole("dialog", { name: "Reset retro-02?" }).getByRole("button", { name: "Reset at next boot" }).click();
  await expect(pending).toBeVisible();
  // The PC boots: its script (fetched from its own address) resets it first.
  const script = await get(app.port, "/boot/ipxe", { from: "127.0.0.42", headers: IPXE });
  expect(script.body).toContain("reset to a clean disk first");
  await expect(pending).toHaveCount(0);
  await expect(card(page, "retro-02").getByRole("meter").first()).toHaveAttribute("aria-valuenow", "0");
  await page.goto(app.url + "/history?source=boot");
  await expect(page.getByRole("row").filter({ hasText: "retro-02" })).toHaveCount(1);
  // The boot itself is in the boot history, with the reset it had first.
  await page.getByRole("link", { name: "Boots" }).click();
  const boot = page.getByRole("row").filter({ hasText: "retro-02" });
  await expect(boot).toHaveCount(1);
  await expect(boot).toContainText("yes (it was marked for its next boot)");
});

test("'reset all before the event' says which PCs go now and which at their next boot", async ({ page }) => {
  await login(page, app.url);
  await page.getByRole("button", { name: "Reset all before the event" }).click();
  const dialog = page.getByRole("dialog", { name: "Reset all 14 PCs before the event?" });
  await expect(dialog).toContainText(/Reset now \(2\): retro-05, retro-10/);
  await expect(dialog).toContainText(/Up right now \(12\): retro-01, retro-02/);
  await page.screenshot({ path: `${SHOTS}/event-reset-laptop.png` });
  await dialog.getByRole("button", { name: "Reset the others now, these at next boot" }).click();
  await expect(page.getByText("Bulk reset: 2 of 2 succeeded")).toBeVisible();
  await expect(page.getByTestId("deferred")).toContainText("At their next boot: retro-01, retro-02");
  await expect(card(page, "retro-07").getByTestId("pending-reset")).toBeVisible();
  await expect(card(page, "retro-05").getByTestId("pending-reset")).toHaveCount(0);
});

test("a failed boot shows on the card with iPXE's error in words", async ({ page }) => {
  await get(app.port, "/boot/ipxe", { from: "127.0.0.50", headers: IPXE });
  await get(app.port, "/boot/failed?step=sanboot&errno=0x4c0a6035", { from: "127.0.0.50", headers: IPXE });
  await login(page, app.url);
  await expect(card(page, "retro-10").getByTestId("boot-note")).toContainText(/Boot failed \d+ s ago at sanboot: 0x4c0a6035: connection timed out/);
  await card(page, "retro-10").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/boot-failed-laptop.png` });
  await page.goto(app.url + "/history/boots?machine=10");
  await expect(page.getByRole("row").filter({ hasText: "retro-10" })).toContainText(/failed.*sanboot: .*connection timed out/s);
  await page.screenshot({ path: `${SHOTS}/boot-history-laptop.png`, fullPage: true });
});
