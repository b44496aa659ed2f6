import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launch } from "../helpers/browser";
import { get } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

const PASSWORD = "e2e-admin-password";
const SHOTS = "test-results/screenshots";

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer({
    COWHERD_ADMIN_PASSWORD: PASSWORD,
    COWHERD_SIM_ACTIVITY: "0",
    COWHERD_SIM_STEP_MS: "150",
    // The demo room, frozen, with retro-03 dead (Invalid) and retro-12 in PO overflow.
    COWHERD_SIM_INIT: JSON.stringify({ "3": { health: "invalid" }, "12": { health: "overflow" } }),
  });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function loggedIn(viewport = { width: 1366, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(server.url + "/");
  await page.waitForURL(/\/login$/);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(server.url + "/");
  return page;
}

const card = (page: Page, name: string) => page.getByRole("article", { name });
const usage = async (page: Page, name: string) => Number(await card(page, name).getByRole("meter").getAttribute("aria-valuenow"));

describe("dashboard in a browser", () => {
  it("refuses a wrong password with a clear message", async () => {
    const page = await browser.newPage();
    await page.goto(server.url + "/login");
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("Wrong user name or password").waitFor({ timeout: 5000 });
    await expect(page.url()).toMatch(/\/login$/);
    await page.close();
  });

  it("logs in and shows 14 cards, server-rendered, with states unmistakable", async () => {
    const page = await loggedIn();
    await expect(page.getByRole("article").count()).resolves.toBe(14);
    await expect(card(page, "retro-03").getByTestId("state").textContent()).resolves.toBe("Invalid");
    await expect(card(page, "retro-12").getByTestId("state").textContent()).resolves.toBe("Overflow");
    await expect(card(page, "retro-07").getAttribute("data-level")).resolves.toBe("warn");
    await expect(card(page, "retro-01").textContent()).resolves.toContain("127.0.0.41");
    await page.screenshot({ path: `${SHOTS}/dashboard-laptop.png`, fullPage: true });
    // The first paint carries the grid: no client fetch needed to see the cards.
    const html = await (await fetch(server.url + "/", { headers: { cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ") } })).text();
    expect(html).toContain("retro-14");
    await page.close();
  });

  it("resets one PC: confirmation says what is lost, usage drops, outcome shown, history row written", async () => {
    const page = await loggedIn();
    const before = await usage(page, "retro-04");
    expect(before).toBeGreaterThan(1);
    await page.getByRole("button", { name: "Reset retro-04" }).click();
    const dialog = page.getByRole("dialog", { name: "Reset retro-04?" });
    await expect(dialog.textContent()).resolves.toMatch(/thrown away/);
    await expect(dialog.getByRole("alert").textContent()).resolves.toMatch(/ONLINE/); // retro-04 is online in the demo
    await page.screenshot({ path: `${SHOTS}/confirm-laptop.png` });
    await dialog.getByRole("button", { name: "Confirm reset" }).click();
    await card(page, "retro-04").getByText(/Reset OK in/).waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('article[aria-label="retro-04"] [role=meter]')?.getAttribute("aria-valuenow") === "0");
    await page.goto(server.url + "/history");
    const row = page.getByRole("row").filter({ hasText: "retro-04" });
    await expect(row.count()).resolves.toBe(1);
    await expect(row.textContent()).resolves.toMatch(/dashboard.*admin.*ok/);
    await page.screenshot({ path: `${SHOTS}/history-laptop.png`, fullPage: true });
    await page.close();
  });

  it("bulk-resets 3 PCs with per-PC progress and a summary", async () => {
    const page = await loggedIn();
    for (const n of ["retro-06", "retro-08", "retro-09"]) await page.getByRole("checkbox", { name: `Select ${n}` }).check();
    await page.getByRole("button", { name: "Reset selected (3)" }).click();
    const dialog = page.getByRole("dialog", { name: "Reset 3 PCs?" });
    await dialog.getByRole("button", { name: "Confirm reset" }).click();
    await card(page, "retro-06").getByText(/Resetting/).waitFor();
    await page.getByText("Bulk reset: 3 of 3 succeeded").waitFor({ timeout: 20_000 });
    for (const n of ["retro-06", "retro-08", "retro-09"]) await card(page, n).getByText(/Reset OK in/).waitFor();
    await page.goto(server.url + "/history?source=bulk");
    await expect(page.getByRole("row").count()).resolves.toBe(4); // header + 3
    await page.close();
  });

  it("shows a change made on the host within 3 s, without reload", async () => {
    const page = await loggedIn();
    const before = await usage(page, "retro-13");
    expect(before).toBeGreaterThan(0);
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    // Another admin (another client) resets retro-13 through the API.
    const r = await fetch(server.url + "/api/machines/13/reset", { method: "POST", headers: { cookie, origin: server.url } });
    expect(r.status).toBe(200);
    const t0 = Date.now();
    await page.waitForFunction(() => document.querySelector('article[aria-label="retro-13"] [role=meter]')?.getAttribute("aria-valuenow") === "0", null, { timeout: 3000 });
    expect(Date.now() - t0).toBeLessThan(3000);
    await page.close();
  });

  it("reads well on a phone", async () => {
    const page = await loggedIn({ width: 390, height: 844 });
    await expect(page.getByRole("article").count()).resolves.toBe(14);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/dashboard-phone.png` });
    await page.getByRole("button", { name: "Reset retro-02" }).click();
    await page.screenshot({ path: `${SHOTS}/confirm-phone.png` });
    await page.close();
  });

  it("legacy route: 127.0.0.45 gets its PC's numbers, 127.0.0.1 is not a PC", async () => {
    const pc = await get(server.port, "/cgi/status", { from: "127.0.0.45" });
    expect(pc.headers["content-type"]).toBe("text/plain");
    expect(pc.body).toMatch(/^OK \d+ 409600\n$/);
    const other = await get(server.port, "/cgi/status", { from: "127.0.0.1" });
    expect(other.body).toBe("ERR Not a RetroLAN Machine\n");
    const dead = await get(server.port, "/cgi/status", { from: "127.0.0.43" });
    expect(dead.body).toBe("ERR Problem getting parsing information\n");
  });

  it("logs out", async () => {
    const page = await loggedIn();
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/login$/);
    await page.goto(server.url + "/history");
    await page.waitForURL(/\/login$/);
    await page.close();
  });
});
