import { expect, test } from "@playwright/test";
import { cspViolations, login, ownApp, SHOTS } from "./app";

// A /24: 250 simulated PCs, writing.
const app = ownApp({ COWHERD_SIM_PCS: "250", COWHERD_SIM_ACTIVITY: "1", COWHERD_SIM_STEP_MS: "150" });
// 250 cards polled every 1.5 s on a shared 2-core machine: give each test room.
test.describe.configure({ timeout: 180_000 });

test("250 PCs: the list fits, filter and sort by state, usage and time to full; the selection bar stays in reach on a phone", async ({ page }) => {
  const csp = cspViolations(page);
  await login(page, app.url);
  await expect(page.getByRole("article")).toHaveCount(250);
  await expect(page.getByTestId("count-pcs")).toContainText("250");
  await page.screenshot({ path: `${SHOTS}/room250-cards-laptop.png` });
  await page.getByRole("group", { name: "Grid view" }).getByRole("button", { name: "List" }).click();
  const rows = page.getByRole("table", { name: "PCs" }).locator("tbody > tr[data-condition]");
  await expect(rows).toHaveCount(250);
  // Fullest first
  await page.getByLabel("Sort by").selectOption("usage");
  const first = Number(await rows.first().getByRole("meter").first().getAttribute("aria-valuenow"));
  const tenth = Number(await rows.nth(9).getByRole("meter").first().getAttribute("aria-valuenow"));
  expect(first).toBeGreaterThanOrEqual(tenth);
  // Search narrows it; "Select all" then selects what is shown
  await page.getByRole("searchbox", { name: "Find a PC by name or address" }).fill("retro-24");
  await expect(rows).toHaveCount(10); // retro-240 … retro-249
  await expect(page.getByTestId("shown-count")).toHaveText("10 of 250 shown");
  await page.getByRole("checkbox", { name: "Select all 10 PCs shown" }).check();
  await expect(page.getByRole("button", { name: "Reset selected (10)" })).toBeEnabled();
  await page.getByRole("checkbox", { name: "Select all 10 PCs shown" }).uncheck();
  await page.getByRole("searchbox", { name: "Find a PC by name or address" }).fill("");
  // Time to full: measured PCs with a projection first
  await page.getByLabel("Sort by").selectOption("full");
  await expect(rows.first().getByTestId("growth")).toContainText(/full (in|now)/, { timeout: 45_000 });
  await page.getByLabel("Show", { exact: true }).selectOption("offline");
  await expect(page.getByTestId("shown-count")).toHaveText(/^\d+ of 250 shown$/);
  await page.getByLabel("Show", { exact: true }).selectOption("all");
  await page.screenshot({ path: `${SHOTS}/room250-list-laptop.png` });
  await page.screenshot({ path: `${SHOTS}/room250-list-laptop-full.png`, fullPage: true });
  // Phone: scroll to the bottom of the room; the selection bar is still on screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await rows.last().scrollIntoViewIfNeeded();
  const bar = await page.getByTestId("selection-bar").boundingBox();
  expect(bar!.y).toBeGreaterThanOrEqual(0);
  expect(bar!.y + bar!.height).toBeLessThanOrEqual(844);
  await page.screenshot({ path: `${SHOTS}/room250-list-phone.png` });
  await page.getByRole("group", { name: "Grid view" }).getByRole("button", { name: "Cards" }).click();
  await page.getByRole("article").nth(120).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/room250-cards-phone.png` });
  expect(csp).toEqual([]);
});

test("250 PCs: a bulk reset of all of them runs in bounded runs with readable progress, and all come back fresh", async ({ page, request }) => {
  await login(page, app.url);
  await page.getByRole("checkbox", { name: "Select all PCs" }).check();
  await page.getByRole("button", { name: "Reset selected (250)" }).click();
  const dialog = page.getByRole("dialog", { name: "Reset 250 PCs?" });
  await expect(dialog).toContainText(/retro-012(, retro-\d{3})* and \d+ more/);
  await page.screenshot({ path: `${SHOTS}/room250-confirm-laptop.png` });
  const answer = page.waitForResponse((r) => r.url().endsWith("/api/resets") && r.request().method() === "POST");
  await dialog.getByRole("button", { name: "Reset all now, crash the running ones" }).click();
  const { job } = await (await answer).json();
  const line = page.getByTestId("job-line");
  await expect(line).toContainText(/Bulk reset running: \d+ of 250 done · \d+ resetting, \d+ queued/);
  await page.screenshot({ path: `${SHOTS}/room250-bulk-laptop.png` });
  await expect(line).toContainText("Bulk reset: 250 of 250 succeeded", { timeout: 90_000 });
  // Never more than resetConcurrency (16) PCs of one host resetting at once: the most whose reset
  // times overlap, from the finished job.
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const done = (await (await request.get(`${app.url}/api/jobs/${job.id}`, { headers: { cookie } })).json()).job;
  const spans: { startedAt: number; endedAt: number }[] = done.machines;
  const most = Math.max(...spans.map((s) => spans.filter((o) => o.startedAt <= s.startedAt && s.startedAt < o.endedAt).length));
  expect(done.summary).toMatchObject({ requested: 250, ok: 250 });
  expect(most).toBeGreaterThan(1);
  expect(most).toBeLessThanOrEqual(16);
});
