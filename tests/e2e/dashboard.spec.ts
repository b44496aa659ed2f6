import { expect, test } from "@playwright/test";
import { get } from "../helpers/http";
import { card, login, SHOTS, usage } from "./app";

// The webServer's room (playwright.config.ts): the frozen demo, retro-03 Invalid, retro-12 Overflow.

test("refuses a wrong password with a clear message", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Password").fill("wrong-password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText("Wrong user name or password")).toBeVisible();
  expect(page.url()).toMatch(/\/login$/);
});

test("logs in and shows 14 cards, server-rendered, with states unmistakable", async ({ page, baseURL }) => {
  await login(page);
  await expect(page.getByRole("article")).toHaveCount(14);
  await expect(card(page, "retro-03").getByTestId("state")).toHaveText("Invalid");
  await expect(card(page, "retro-12").getByTestId("state")).toHaveText("Overflow");
  await expect(card(page, "retro-07")).toHaveAttribute("data-level", "warn");
  await expect(card(page, "retro-01")).toContainText("127.0.0.41");
  await page.screenshot({ path: `${SHOTS}/dashboard-laptop.png`, fullPage: true });
  // The first paint carries the grid: no client fetch needed to see the cards.
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const html = await (await fetch(baseURL + "/", { headers: { cookie } })).text();
  expect(html).toContain("retro-14");
});

test("resets one PC: confirmation says what is lost, the card shows progress, usage drops, history row written", async ({ page }) => {
  await login(page);
  expect(await usage(page, "retro-04")).toBeGreaterThan(1);
  await page.getByRole("button", { name: "Reset retro-04" }).click();
  const dialog = page.getByRole("dialog", { name: "Reset retro-04?" });
  await expect(dialog).toContainText("thrown away");
  await expect(dialog.getByRole("alert")).toContainText("ONLINE"); // retro-04 is online in the demo
  await page.screenshot({ path: `${SHOTS}/confirm-laptop.png` });
  await dialog.getByRole("button", { name: "Confirm reset" }).click();
  await expect(card(page, "retro-04").getByText(/Queued for reset|Resetting…/)).toBeVisible();
  await expect(card(page, "retro-04").getByRole("meter")).toHaveAttribute("aria-valuenow", "0");
  await expect(card(page, "retro-04").getByText(/Last reset \d+ s ago \(\d+\.\d s\)/)).toBeVisible();
  await page.goto("/history");
  const row = page.getByRole("row").filter({ hasText: "retro-04" });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(/dashboard.*admin.*ok/);
  await page.screenshot({ path: `${SHOTS}/history-laptop.png`, fullPage: true });
});

test("bulk-resets 3 PCs with per-PC progress and a summary, all in one job", async ({ page }) => {
  await login(page);
  for (const n of ["retro-06", "retro-08", "retro-09"]) await page.getByRole("checkbox", { name: `Select ${n}` }).check();
  await page.getByRole("button", { name: "Reset selected (3)" }).click();
  await page.getByRole("dialog", { name: "Reset 3 PCs?" }).getByRole("button", { name: "Confirm reset" }).click();
  await expect(card(page, "retro-06").getByText(/Queued for reset|Resetting…/)).toBeVisible();
  await expect(page.getByText("Bulk reset: 3 of 3 succeeded")).toBeVisible();
  for (const n of ["retro-06", "retro-08", "retro-09"]) await expect(card(page, n).getByRole("meter")).toHaveAttribute("aria-valuenow", "0");
  await page.goto("/history?source=bulk");
  await expect(page.getByRole("row")).toHaveCount(4); // header + 3
});

test("a reset made elsewhere shows on the grid without reload", async ({ page, baseURL }) => {
  await login(page);
  expect(await usage(page, "retro-13")).toBeGreaterThan(0);
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  // Another admin (another client) resets retro-13 through the API.
  const r = await fetch(baseURL + "/api/machines/13/reset", { method: "POST", headers: { cookie, origin: baseURL! } });
  expect(r.status).toBe(202);
  await expect(card(page, "retro-13").getByRole("meter")).toHaveAttribute("aria-valuenow", "0");
});

test("reads well on a phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page);
  await expect(page.getByRole("article")).toHaveCount(14);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/dashboard-phone.png` });
  await page.getByRole("button", { name: "Reset retro-02" }).click();
  await page.screenshot({ path: `${SHOTS}/confirm-phone.png` });
});

test("legacy route: 127.0.0.45 gets its PC's numbers, 127.0.0.1 is not a PC, a dead snapshot has no numbers", async ({ baseURL }) => {
  const port = Number(new URL(baseURL!).port);
  const pc = await get(port, "/cgi/status", { from: "127.0.0.45" });
  expect(pc.headers["content-type"]).toBe("text/plain");
  expect(pc.body).toMatch(/^OK \d+ 409600\n$/);
  const other = await get(port, "/cgi/status", { from: "127.0.0.1" });
  expect(other.body).toBe("ERR Not a RetroLAN Machine\n");
  const dead = await get(port, "/cgi/status", { from: "127.0.0.43" });
  expect(dead.body).toBe("ERR Problem getting parsing information\n");
});

test("the front and Next share one runtime: one server.start in the audit log, one status cache", async ({ page }) => {
  await login(page);
  await page.goto("/audit?action=server.start");
  await expect(page.getByRole("cell", { name: "server.start" })).toHaveCount(1);
});

test("logs out", async ({ page }) => {
  await login(page);
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/login$/);
  await page.goto("/history");
  await page.waitForURL(/\/login$/);
});
