import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launch } from "../helpers/browser";
import { startServer, type RunningServer } from "../helpers/server";

const PASSWORD = "e2e-admin-password";
const SHOTS = "test-results/screenshots";
let server: RunningServer;
let browser: Browser;
const cspViolations: string[] = [];

beforeAll(async () => {
  server = await startServer({ COWHERD_ADMIN_PASSWORD: PASSWORD, COWHERD_SIM_ACTIVITY: "0", COWHERD_SIM_STEP_MS: "50" });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function login(user: string, password: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  page.on("console", (m) => /Content Security Policy|Refused to/i.test(m.text()) && cspViolations.push(m.text()));
  await page.goto(server.url + "/login");
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(server.url + "/");
  return page;
}

describe("admin pages and roles in a browser", () => {
  it("serves pages with a nonce CSP and security headers, and the app works under it", async () => {
    const page = await login("admin", PASSWORD);
    const res = await page.goto(server.url + "/");
    const h = res!.headers();
    expect(h["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("same-origin");
    expect(h["x-frame-options"]).toBe("DENY");
    // Hydrated under the CSP: the dialog opens (client JS ran).
    await page.getByRole("button", { name: "Reset retro-01" }).click();
    await page.getByRole("dialog", { name: "Reset retro-01?" }).waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    expect(cspViolations).toEqual([]);
    await page.close();
  });

  it("an admin adds a viewer and a token (shown once); the viewer cannot reset", async () => {
    const page = await login("admin", PASSWORD);
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByLabel("New user name").fill("watcher");
    await page.getByLabel("Password", { exact: true }).fill("watcher-password");
    await page.getByRole("button", { name: "Add user" }).click();
    await page.getByRole("combobox", { name: "Role of watcher" }).waitFor();
    await page.getByLabel("Token name").fill("nightly");
    await page.getByRole("button", { name: "Create token" }).click();
    const shown = await page.getByRole("status").filter({ hasText: "not shown again" }).textContent();
    expect(shown).toMatch(/cwh_[A-Za-z0-9_-]{20,}/);
    await page.getByRole("cell", { name: "nightly", exact: true }).waitFor();
    await page.screenshot({ path: `${SHOTS}/settings-laptop.png`, fullPage: true });
    await page.reload();
    expect(await page.content()).not.toContain(shown!.match(/cwh_[A-Za-z0-9_-]+/)![0]);

    const viewer = await login("watcher", "watcher-password");
    await expect(viewer.getByRole("article").count()).resolves.toBe(14);
    await expect(viewer.getByRole("button", { name: /^Reset/ }).count()).resolves.toBe(0);
    await expect(viewer.getByRole("link", { name: "Settings" }).count()).resolves.toBe(0);
    await viewer.goto(server.url + "/settings");
    await viewer.waitForURL(server.url + "/");

    await page.getByRole("link", { name: "Audit" }).click();
    await page.getByRole("cell", { name: "user.create" }).waitFor();
    await expect(page.getByRole("cell", { name: "token.create" }).count()).resolves.toBe(1);
    await page.screenshot({ path: `${SHOTS}/audit-laptop.png`, fullPage: true });
    expect(cspViolations).toEqual([]);
  });
});
