import { expect, test } from "@playwright/test";
import { get } from "../helpers/http";
import { card, focusRing, login, SHOTS, sideways, usage } from "./app";

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

test("resets a running PC when forced: the warning, the card's progress, usage drops, history row written", async ({ page }) => {
  await login(page);
  expect(await usage(page, "retro-04")).toBeGreaterThan(1);
  await expect(card(page, "retro-04").getByTestId("boot-state")).toHaveText("Online"); // running in the demo
  await page.getByRole("button", { name: "Reset retro-04" }).click();
  const dialog = page.getByRole("dialog", { name: "Reset retro-04?" });
  await expect(dialog).toContainText("thrown away");
  await expect(dialog.getByRole("alert")).toContainText("retro-04 is RUNNING right now.");
  await expect(dialog.getByRole("alert")).toContainText("reset it at its next boot");
  await page.screenshot({ path: `${SHOTS}/confirm-laptop.png` });
  await dialog.getByRole("button", { name: "Reset now anyway" }).click();
  await expect(card(page, "retro-04").getByText(/Queued for reset|Resetting…/)).toBeVisible();
  await expect(card(page, "retro-04").getByRole("meter").first()).toHaveAttribute("aria-valuenow", "0");
  await expect(card(page, "retro-04").getByText(/Last reset \d+ s ago \(\d+\.\d s\)/)).toBeVisible();
  await page.goto("/history");
  const row = page.getByRole("row").filter({ hasText: "retro-04" });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(/dashboard.*admin.*ok/);
  await page.screenshot({ path: `${SHOTS}/history-laptop.png`, fullPage: true });
});

test("bulk-resets 3 PCs with per-PC progress and a summary, all in one job; the grid never moves", async ({ page }) => {
  await login(page);
  const top = async () => (await card(page, "retro-01").boundingBox())!.y;
  const before = await top();
  await expect(page.getByTestId("job-line")).toHaveText("Select PCs to reset several at once.");
  for (const n of ["retro-06", "retro-08", "retro-09"]) await page.getByRole("checkbox", { name: `Select ${n}` }).check();
  await page.getByRole("button", { name: "Reset selected (3)" }).click();
  await page.getByRole("dialog", { name: "Reset 3 PCs?" }).getByRole("button", { name: "Reset now anyway" }).click();
  await expect(card(page, "retro-06").getByText(/Queued for reset|Resetting…/)).toBeVisible();
  await expect(page.getByText("Bulk reset: 3 of 3 succeeded")).toBeVisible();
  expect(await top()).toBe(before);
  for (const n of ["retro-06", "retro-08", "retro-09"]) await expect(card(page, n).getByRole("meter").first()).toHaveAttribute("aria-valuenow", "0");
  // The next bulk replaces the last one's line in place: the grid stays where it was throughout.
  await page.getByRole("checkbox", { name: "Select retro-10" }).check();
  await page.getByRole("button", { name: "Reset selected (1)" }).click();
  await page.getByRole("dialog", { name: "Reset retro-10?" }).getByRole("button", { name: "Confirm reset" }).click();
  await expect(page.getByText("Bulk reset: 3 of 3 succeeded")).toHaveCount(0);
  expect(await top()).toBe(before);
  await expect(page.getByText("Bulk reset: 1 of 1 succeeded")).toBeVisible();
  expect(await top()).toBe(before);
  // The card keeps saying when it was last reset and how long that took, poll after poll.
  await expect(card(page, "retro-06").getByRole("status")).toHaveText(/^Last reset \d+ s ago \(\d+\.\d s\)$/);
  await page.waitForResponse((r) => r.url().endsWith("/api/machines"));
  await page.waitForResponse((r) => r.url().endsWith("/api/machines"));
  await expect(card(page, "retro-06").getByRole("status")).toHaveText(/^Last reset \d+ s ago \(\d+\.\d s\)$/);
  await page.goto("/history?source=bulk");
  await expect(page.getByRole("row")).toHaveCount(5); // header + 3 + 1
});

test("keyboard focus is clearly visible on the dark Reset buttons and in the dark header", async ({ page }) => {
  await login(page);
  await page.getByRole("button", { name: "Grow retro-01" }).focus();
  await page.keyboard.press("Tab");
  const reset = await focusRing(page);
  expect(reset).toMatchObject({ name: "Reset retro-01", visible: true, style: "solid" });
  expect(reset.width).toBeGreaterThanOrEqual(2);
  expect(reset.offset).toBeGreaterThanOrEqual(1);
  // WCAG 2.2 non-text contrast: at least 3:1 against the card and against the near-black button.
  expect(reset.againstSurroundings).toBeGreaterThanOrEqual(3);
  expect(reset.againstControl).toBeGreaterThanOrEqual(3);
  await page.screenshot({ path: `${SHOTS}/focus-laptop.png`, clip: { x: 0, y: 0, width: 1366, height: 460 } });
  await page.getByRole("link", { name: "History" }).focus();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Shift+Tab");
  const nav = await focusRing(page);
  expect(nav).toMatchObject({ name: "History", visible: true, style: "solid" });
  expect(nav.againstSurroundings).toBeGreaterThanOrEqual(3); // on the slate-900 header
});

test("the compact list fits the room on a 1366×768 laptop, is remembered, and is chosen by keyboard", async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await login(page);
  await page.getByRole("button", { name: "List" }).click();
  const list = page.getByRole("table", { name: "PCs" });
  await expect(list.getByRole("row", { name: /^retro-\d\d$/ })).toHaveCount(14);
  const row = list.getByRole("row", { name: "retro-03", exact: true });
  for (const text of ["retro-03", "127.0.0.43", "Invalid", "Online", "Last reset never"]) await expect(row).toContainText(text);
  await expect(row.getByRole("meter").first()).toBeVisible();
  await expect(row.getByRole("button", { name: "Reset retro-03" })).toBeVisible();
  // The whole room on one laptop screen, without scrolling.
  const last = (await list.getByRole("row", { name: "retro-14", exact: true }).boundingBox())!;
  expect(last.y + last.height).toBeLessThanOrEqual(768);
  await page.screenshot({ path: `${SHOTS}/list-laptop.png` });
  await page.reload();
  await expect(page.getByRole("button", { name: "List" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("article")).toHaveCount(0);
  await page.getByRole("button", { name: "Cards" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("article")).toHaveCount(14);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Space");
  await expect(page.getByRole("article")).toHaveCount(0);
  await page.getByRole("button", { name: "Cards" }).click();
});

test("a reset made elsewhere shows on the grid without reload", async ({ page, baseURL }) => {
  await login(page);
  expect(await usage(page, "retro-13")).toBeGreaterThan(0);
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  // Another admin (another client) resets retro-13 through the API (it is running: forced).
  const r = await fetch(baseURL + "/api/machines/13/reset", {
    method: "POST",
    headers: { cookie, origin: baseURL!, "content-type": "application/json" },
    body: JSON.stringify({ whenOnline: "force" }),
  });
  expect(r.status).toBe(202);
  await expect(card(page, "retro-13").getByRole("meter").first()).toHaveAttribute("aria-valuenow", "0");
});

test("reads well on a phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page);
  await expect(page.getByRole("article")).toHaveCount(14);
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/dashboard-phone.png` });
  await page.getByRole("button", { name: "Reset retro-02" }).click();
  await page.screenshot({ path: `${SHOTS}/confirm-phone.png` });
  await page.getByRole("button", { name: "Cancel" }).click();
  // The compact list on a phone: each row wraps onto its own lines, nothing scrolls sideways.
  await page.getByRole("button", { name: "List" }).click();
  await expect(page.getByRole("row", { name: "retro-14", exact: true })).toBeVisible();
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/list-phone.png` });
  await page.getByRole("button", { name: "Cards" }).click();
});

test("on a phone the selection bar stays in reach while scrolling through the cards", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page);
  const bar = page.getByTestId("selection-bar");
  await card(page, "retro-13").getByRole("checkbox", { name: "Select retro-13" }).check();
  await expect(card(page, "retro-13")).toBeInViewport();
  const box = (await bar.boundingBox())!;
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(844);
  await expect(bar.getByRole("button", { name: "Reset selected (1)" })).toBeInViewport();
  await expect(bar.getByRole("checkbox", { name: "Select all PCs" })).toBeInViewport();
  expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(1500);
  await page.screenshot({ path: `${SHOTS}/selection-phone.png` });
});

test.describe("in the browser's time zone", () => {
  test.use({ timezoneId: "Pacific/Kiritimati" }); // UTC+14: a time shown in UTC cannot pass by accident

  test("history shows local date and time and how long ago, with no hydration mismatch", async ({ page, baseURL }) => {
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(e.message));
    await login(page);
    // A history row of its own: retro-11, reset through the API (no other test here touches it).
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const r = await fetch(baseURL + "/api/machines/11/reset", {
      method: "POST",
      headers: { cookie, origin: baseURL!, "content-type": "application/json" },
      body: JSON.stringify({ whenOnline: "force" }),
    });
    expect(r.status).toBe(202);
    await page.goto("/history?machine=11");
    const started = page.getByRole("row").nth(1).getByRole("cell").nth(2);
    const iso = (await started.locator("time").getAttribute("datetime"))!;
    const local = new Intl.DateTimeFormat("sv-SE", { timeZone: "Pacific/Kiritimati", dateStyle: "short", timeStyle: "medium" }).format(new Date(iso));
    await expect(started).toContainText(local);
    await expect(started).toContainText(/\d+ (s|min) ago/);
    await expect(started).not.toContainText("UTC");
    await expect(started.locator("time")).toHaveAttribute("title", /Pacific\/Kiritimati, GMT\+14/);
    expect(errors.filter((e) => /hydrat|Minified React error #4(18|19|23|25)/i.test(e))).toEqual([]);
  });
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
  // The login page keeps what was asked for, to return there.
  await page.waitForURL(/\/login\?next=%2Fhistory$/);
});
