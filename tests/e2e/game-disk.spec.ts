import { expect, type Locator, type Page, test } from "@playwright/test";
import { card, login, ownApp, SHOTS, sideways } from "./app";

// The demo room as it comes: its Retro PCs (retro-01..10) share a game disk (lib/config/demo.ts), written a little on the PCs that run.
const app = ownApp({ COWHERD_SIM_ACTIVITY: "0", COWHERD_SIM_STEP_MS: "50", COWHERD_SIM_GAMEDISK: "1" });

const meter = (page: Page, pc: string, what: "System disk" | "Game disk") => card(page, pc).getByRole("meter", { name: `${what} usage of ${pc}` });
const percentOf = async (l: Locator) => Number(await l.getAttribute("aria-valuenow"));

test("a PC's card shows both disks; a reset of the game disk only zeroes the game disk and leaves the system disk; history says so", async ({ page }) => {
  await login(page, app.url);
  await expect(meter(page, "retro-04", "System disk")).toBeVisible();
  await expect(meter(page, "retro-04", "Game disk")).toBeVisible();
  await expect(card(page, "retro-04").getByTestId("game-usage")).toContainText(/Games \(game disk\)\s*\d+\.\d %[\d.]+ \/ [\d.]+ MiB · v1/);
  const system = await percentOf(meter(page, "retro-04", "System disk"));
  const game = await percentOf(meter(page, "retro-04", "Game disk"));
  expect(system).toBeGreaterThan(1);
  expect(game).toBeGreaterThan(1);
  await page.screenshot({ path: `${SHOTS}/game-grid-laptop.png`, fullPage: true });

  await page.getByRole("button", { name: "Reset retro-04" }).click();
  const dialog = page.getByRole("dialog", { name: "Reset retro-04?" });
  await expect(dialog.getByRole("radio", { name: /Both disks/ })).toBeChecked();
  await expect(dialog).toContainText("and to its game disk");
  await dialog.getByRole("radio", { name: /Game disk only/ }).check();
  await expect(dialog).toContainText("Its system disk is left as it is.");
  // It runs: one disk cannot wait for its next boot, so only "now anyway" is offered.
  await expect(dialog.getByRole("button", { name: "Reset at next boot" })).toHaveCount(0);
  // …and the warning does not offer it either.
  await expect(dialog.getByRole("alert")).toContainText("Shut it down first, then reset it.");
  await expect(dialog.getByRole("alert")).not.toContainText("next boot");
  await page.screenshot({ path: `${SHOTS}/game-confirm-laptop.png` });
  await dialog.getByRole("button", { name: "Reset now anyway" }).click();
  await expect(meter(page, "retro-04", "Game disk")).toHaveAttribute("aria-valuenow", "0");
  await expect(card(page, "retro-04").getByText(/Last reset \d+ s ago/)).toBeVisible();
  expect(await percentOf(meter(page, "retro-04", "System disk"))).toBe(system);

  await page.goto(app.url + "/history");
  const row = page.getByRole("row").filter({ hasText: "retro-04" });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("reset-disk")).toHaveText("game disk only");
});

test("the list view has a second bar per PC; the PC page has a game disk section; the Images page a game disk section", async ({ page }) => {
  await login(page, app.url);
  await page.getByRole("group", { name: "Grid view" }).getByRole("button", { name: "List" }).click();
  const row = page.getByRole("row", { name: "retro-02", exact: true });
  await expect(row.getByRole("meter", { name: "Game disk usage of retro-02" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/game-list-laptop.png` });

  await page.goto(app.url + "/machines/2");
  const section = page.getByRole("region", { name: "Game disk" });
  await expect(section).toContainText("v1 (current)");
  await expect(section.getByRole("button", { name: "Grow the game disk of retro-02" })).toBeEnabled();
  await expect(page.getByRole("region", { name: "Set-up" })).toContainText("/dev/mapper/retrocow2-game");
  await page.screenshot({ path: `${SHOTS}/game-pc-laptop.png`, fullPage: true });

  await page.goto(app.url + "/images");
  const games = page.getByRole("region", { name: "Retro PCs — game disk" });
  await expect(games).toContainText("v1");
  await expect(games.getByRole("button", { name: /Start update on retro-/ })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/game-images-laptop.png`, fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  for (const [path, name] of [
    ["/", "grid"],
    ["/machines/2", "pc"],
    ["/images", "images"],
  ] as const) {
    await page.goto(app.url + path);
    await page.waitForLoadState("networkidle");
    expect(await sideways(page), path).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/game-${name}-phone.png`, fullPage: path !== "/" });
  }
});
