import { expect, test, type Locator, type Page } from "@playwright/test";
import { card, cspViolations, login, ownApp, SHOTS, sideways } from "./app";
import { configFile } from "./config-file";
import { chartPoints } from "../../lib/client/chart-points";

/** The chart requests' `points`: the page asks for as many as its chart is wide (never the API's default). */
function chartRequests(page: Page): URL[] {
  const asked: URL[] = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (/^\/api\/(machines\/\d+\/)?usage$/.test(u.pathname)) asked.push(u);
  });
  return asked;
}
const drawnWidth = (chart: Locator) => chart.getByRole("img").evaluate((e) => e.clientWidth);

// A lively room sampled every 2 s, with auto-extend on: charts fill within seconds.
const app = ownApp({
  COWHERD_CONFIG: configFile({ usage: { sampleSeconds: 2, rateWindowMinutes: 1, fullHours: 24, keepDays: 30 }, autoextend: { threshold: 80, percent: 20 } }),
  COWHERD_SIM_ACTIVITY: "1",
  COWHERD_SIM_STEP_MS: "50",
});

test("a PC's page: live card with fill rate and time to full, its usage chart with a reset marked, its events and resets", async ({ page }) => {
  const csp = cspViolations(page);
  const asked = chartRequests(page);
  await login(page, app.url);
  // rates need half a minute of samples
  await expect(card(page, "retro-07").getByTestId("growth")).toContainText(/MiB\/min/, { timeout: 45_000 });
  await card(page, "retro-07").getByRole("link", { name: "retro-07" }).click();
  await page.waitForURL(/\/machines\/7$/);
  await expect(page.getByRole("article", { name: "retro-07" })).toBeVisible();
  const chart = page.getByTestId("machine-chart");
  await expect(chart.locator("canvas")).toBeVisible();
  await expect(chart.getByRole("img")).toHaveAttribute("aria-label", /retro-07: \d+\.\d MiB used of \d+\.\d MiB/);
  expect(asked.length).toBeGreaterThan(0);
  expect(asked.every((u) => u.searchParams.has("points"))).toBe(true);
  expect(asked.at(-1)!.searchParams.get("points")).toBe(String(chartPoints(await drawnWidth(chart))));
  // Reset it from its page: the chart marks the reset, the history lists it.
  await page.getByRole("button", { name: "Reset retro-07" }).click();
  await page.getByRole("dialog", { name: "Reset retro-07?" }).getByRole("button", { name: "Reset now anyway" }).click();
  await expect(page.getByRole("article", { name: "retro-07" }).getByRole("meter").first()).toHaveAttribute("aria-valuenow", /^[0-9](\.\d)?$/);
  await page.getByRole("group", { name: "Chart range" }).getByRole("button", { name: "1h" }).click();
  await expect(chart.getByRole("img")).toHaveAttribute("aria-label", /1 resets and 0 boots in the last 1h/, { timeout: 20_000 });
  await expect(page.getByRole("region", { name: "Resets of this PC" }).getByRole("row")).toHaveCount(2);
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${SHOTS}/machine-laptop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(500);
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/machine-phone.png`, fullPage: true });
  expect(csp).toEqual([]);
});

test("the room chart: total COW usage, stores and who fills first", async ({ page }) => {
  const csp = cspViolations(page);
  const asked = chartRequests(page);
  await login(page, app.url);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Usage" }).click();
  await expect(page.getByRole("heading", { name: "Room usage" })).toBeVisible();
  await expect(page.getByTestId("room-chart").locator("canvas")).toBeVisible();
  await expect(page.getByTestId("room-chart").getByRole("img")).toHaveAttribute(
    "aria-label",
    /The room uses \d+\.\d\d GiB of \d+\.\d\d GiB of COW space; \d+ PCs online/,
  );
  expect(asked.length).toBeGreaterThan(0);
  expect(asked.every((u) => u.searchParams.has("points"))).toBe(true);
  expect(asked.at(-1)!.searchParams.get("points")).toBe(String(chartPoints(await drawnWidth(page.getByTestId("room-chart")))));
  await expect(page.getByRole("region", { name: "Full first" }).getByRole("row").nth(1)).toBeVisible({ timeout: 45_000 });
  await expect(page.getByTestId("store")).toContainText(/GiB free of 64\.0 GiB/);
  await page.screenshot({ path: `${SHOTS}/usage-laptop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(500);
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/usage-phone.png`, fullPage: true });
  expect(csp).toEqual([]);
});
