import { expect, test, type Page } from "@playwright/test";
import { login, ownApp, SHOTS } from "./app";

const app = ownApp({ COWHERD_SIM_ACTIVITY: "0", COWHERD_SIM_STEP_MS: "50" });
const cspViolations: string[] = [];
const watch = (page: Page) => page.on("console", (m) => /Content Security Policy|Refused to/i.test(m.text()) && cspViolations.push(m.text()));

test("serves pages with a nonce CSP and security headers, and the app works under it", async ({ page }) => {
  watch(page);
  await login(page, app.url);
  const res = await page.goto(app.url + "/");
  const h = res!.headers();
  expect(h["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("same-origin");
  expect(h["x-frame-options"]).toBe("DENY");
  // Hydrated under the CSP: the dialog opens (client JS ran).
  await page.getByRole("button", { name: "Reset retro-01" }).click();
  await expect(page.getByRole("dialog", { name: "Reset retro-01?" })).toBeVisible();
  await page.getByRole("button", { name: "Cancel" }).click();
  expect(cspViolations).toEqual([]);
});

test("an admin adds a viewer and a token (shown once); the viewer cannot reset", async ({ page, browser }) => {
  watch(page);
  await login(page, app.url);
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByLabel("New user name").fill("watcher");
  await page.getByLabel("Password", { exact: true }).fill("watcher-password");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("combobox", { name: "Role of watcher" })).toBeVisible();
  await page.getByLabel("Token name").fill("nightly");
  await page.getByRole("button", { name: "Create token" }).click();
  const shown = await page.getByRole("status").filter({ hasText: "not shown again" }).textContent();
  expect(shown).toMatch(/cwh_[A-Za-z0-9_-]{20,}/);
  await expect(page.getByRole("cell", { name: "nightly", exact: true })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/settings-laptop.png`, fullPage: true });
  await page.reload();
  expect(await page.content()).not.toContain(shown!.match(/cwh_[A-Za-z0-9_-]+/)![0]);

  const viewer = await (await browser.newContext()).newPage();
  watch(viewer);
  await login(viewer, app.url, "watcher", "watcher-password");
  await expect(viewer.getByRole("article")).toHaveCount(14);
  await expect(viewer.getByRole("button", { name: /^Reset/ })).toHaveCount(0);
  await expect(viewer.getByRole("link", { name: "Settings" })).toHaveCount(0);
  // An admin page tells a viewer why it is closed to them (no silent redirect).
  for (const [path, what] of [
    ["/settings", "the settings"],
    ["/audit", "the audit log"],
  ] as const) {
    await viewer.goto(app.url + path);
    expect(viewer.url()).toBe(app.url + path);
    await expect(viewer.getByRole("heading", { name: `Only admins can open ${what}` })).toBeVisible();
    await expect(viewer.getByRole("alert").filter({ hasText: "You are logged in as" })).toContainText("watcher, a viewer");
    await expect(viewer.getByRole("cell")).toHaveCount(0);
  }
  await viewer.getByRole("link", { name: "Back to the dashboard" }).click();
  await expect(viewer.getByRole("article")).toHaveCount(14);

  // Deleting a user asks in the app's dialog (a browser confirm() would be dismissed here and nothing deleted).
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("button", { name: "Delete watcher" }).click();
  const ask = page.getByRole("dialog", { name: "Delete user watcher?" });
  await expect(ask).toContainText("can no longer sign in");
  await ask.getByRole("button", { name: "Delete watcher" }).click();
  await expect(page.getByRole("combobox", { name: "Role of watcher" })).toHaveCount(0);

  await page.getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("cell", { name: "user.create" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "user.delete" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "token.create" })).toHaveCount(1);
  await page.screenshot({ path: `${SHOTS}/audit-laptop.png`, fullPage: true });
  expect(cspViolations).toEqual([]);
});

test("the shell tool resets by name with an API token and waits for the job", async ({ page }) => {
  await login(page, app.url);
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByLabel("Token name").fill("shell");
  await page.getByLabel("Scope").selectOption("admin");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByRole("status").filter({ hasText: "not shown again" }).textContent())!.match(/cwh_[A-Za-z0-9_-]+/)![0];
  const { spawnSync } = await import("node:child_process");
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", ...args], {
      env: { ...process.env, COWHERD_URL: app.url, COWHERD_TOKEN: token },
      encoding: "utf8",
    });
  // retro-05 is off, retro-06 running (the demo): the running one is left alone unless asked.
  const r = cli("reset", "retro-05", "6");
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(/retro-05\s+ok \(fresh\)\nretro-06\s+LEFT ALONE: it is up/);
  const forced = cli("reset", "--force", "6");
  expect(forced.status, forced.stderr).toBe(0);
  expect(forced.stdout).toMatch(/retro-06\s+ok \(fresh\)/);
  const s = cli("status");
  expect(s.stdout).toMatch(/^\s+5\s+retro-05\s+127\.0\.0\.45\s+0\.0%/m);
  const bad = cli("reset", "retro-99");
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/no PC "retro-99"; known: 1 retro-01/);
  await page.goto(app.url + "/history?source=cli");
  await expect(page.getByRole("row")).toHaveCount(3);
});
