import { expect, test, type Page } from "@playwright/test";
import { card, cspViolations, login, ownApp, SHOTS, sideways } from "./app";

// A new user's walk-through (issue 11) on a room with broken PCs: retro-05's device suspended,
// retro-06's LUN not exported, retro-09 with no snapshot live (an error table), and every reset of
// retro-10 failing at dm-load.
const app = ownApp({
  COWHERD_SIM_ACTIVITY: "0",
  COWHERD_SIM_STEP_MS: "50",
  COWHERD_SIM_INIT: JSON.stringify({ "5": { suspended: true }, "6": { exported: false }, "9": { table: "error" } }),
  COWHERD_SIM_FAIL: "10:dm-load",
});

const count = (page: Page, key: string) => page.getByTestId(`count-${key}`);

test("broken PCs never look healthy: each has its own badge, colour, help and count", async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await login(page, app.url);
  const expected = [
    ["retro-05", "suspended", "Suspended", "1 suspended", /Disk I\/O hangs: reset it/],
    ["retro-06", "unexported", "LUN not exported", "1 LUN not exported", /cowherd-helper up 6/],
    // The storage host's own words for it (the helper's status names the half-done reset).
    ["retro-09", "no-snapshot", "No snapshot", "1 no snapshot live", /an error table is live \(a reset stopped half way\): run 'cowherd-helper repair'/],
  ] as const;
  for (const [name, condition, badge, summary, help] of expected) {
    await expect(card(page, name)).toHaveAttribute("data-condition", condition);
    await expect(card(page, name).getByTestId("state")).toHaveText(badge);
    await expect(card(page, name)).toContainText(help);
    await expect(count(page, condition)).toHaveText(summary);
  }
  // Distinct colours: no two of them (or a healthy PC) share a badge colour.
  const colours = await Promise.all(
    ["retro-01", "retro-05", "retro-06", "retro-09"].map((n) =>
      card(page, n)
        .getByTestId("state")
        .evaluate((e) => getComputedStyle(e).backgroundColor),
    ),
  );
  expect(new Set(colours).size).toBe(4);
  await page.screenshot({ path: `${SHOTS}/broken-laptop.png`, fullPage: true });
  // The compact list says the same, with what to do on a line of its own.
  await page.getByRole("button", { name: "List" }).click();
  await expect(page.getByRole("row", { name: "retro-05", exact: true }).getByTestId("state")).toHaveText("Suspended");
  await expect(page.getByRole("row", { name: "retro-06: what is wrong" })).toContainText("cowherd-helper up 6");
  await page.getByRole("button", { name: "Cards" }).click();
});

test("a failed reset says at which step, where the PC ended and what to do; history reads well on a phone", async ({ page }) => {
  await login(page, app.url);
  await page.getByRole("button", { name: "Reset retro-10" }).click();
  await page.getByRole("dialog", { name: "Reset retro-10?" }).getByRole("button", { name: "Confirm reset" }).click();
  const failure = card(page, "retro-10").getByTestId("failure");
  await expect(failure).toContainText(/Reset \d+ s ago failed at dm-load: simulated failure in dm-load/);
  await expect(failure).toContainText(/The PC (has a clean disk anyway|kept its old disk; reset again)\./);
  await expect(card(page, "retro-10").getByRole("status")).toHaveText("Last good reset never");
  await page.getByRole("button", { name: "Reset retro-04" }).click();
  await page.getByRole("dialog", { name: "Reset retro-04?" }).getByRole("button", { name: "Reset now anyway" }).click();
  await expect(card(page, "retro-04").getByRole("status")).toHaveText(/^Last reset \d+ s ago \(\d+\.\d s\)$/);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(app.url + "/history");
  const rows = page.getByRole("row").filter({ hasText: "retro-" });
  await expect(rows).toHaveCount(2);
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  // Each row is a card: its cells stacked, each labelled, none wider than the screen.
  const failed = rows.filter({ hasText: "retro-10" });
  const cells = failed.getByRole("cell");
  const boxes = await Promise.all((await cells.all()).map((c) => c.boundingBox()));
  for (const [i, b] of boxes.entries()) {
    expect(b!.x + b!.width).toBeLessThanOrEqual(390);
    if (i > 0) expect(b!.y).toBeGreaterThan(boxes[i - 1]!.y);
  }
  expect(await cells.nth(2).evaluate((c) => getComputedStyle(c, "::before").content)).toBe('"Started"');
  await expect(failed).toContainText("dm-load: simulated failure in dm-load");
  await page.screenshot({ path: `${SHOTS}/history-phone.png`, fullPage: true });
});

test("while the server does not answer, the cards are dimmed and nothing can be selected or reset", async ({ page }) => {
  await login(page, app.url);
  await page.route("**/api/machines", (route) => route.abort());
  await expect(page.getByRole("alert").filter({ hasText: "Cannot reach the server" })).toBeVisible();
  await expect(card(page, "retro-01")).toHaveAttribute("data-stale", "true");
  expect(Number(await card(page, "retro-01").evaluate((e) => getComputedStyle(e).opacity))).toBeLessThan(0.7);
  await expect(page.getByRole("button", { name: "Reset retro-01" })).toBeDisabled();
  await expect(page.getByRole("checkbox", { name: "Select retro-01" })).toBeDisabled();
  await expect(page.getByRole("checkbox", { name: "Select all PCs" })).toBeDisabled();
  await page.screenshot({ path: `${SHOTS}/unreachable-laptop.png` });
  await page.unroute("**/api/machines");
  await expect(page.getByRole("button", { name: "Reset retro-01" })).toBeEnabled({ timeout: 30_000 });
  await expect(card(page, "retro-01")).not.toHaveAttribute("data-stale", "true");
});

test("passwords are set in a real dialog; the only admin cannot be deleted; audit and settings read well on a phone", async ({ page }) => {
  await login(page, app.url);
  await page.goto(app.url + "/settings");
  await expect(page.getByRole("button", { name: "Set password of admin" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Delete admin" })).toHaveCount(0);
  await expect(page.getByRole("combobox", { name: "Role of admin" })).toBeDisabled();

  await page.getByLabel("New user name").fill("helper");
  await page.getByLabel("Password", { exact: true }).fill("helper-password-1");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("button", { name: "Delete helper" })).toBeVisible();

  await page.getByRole("button", { name: "Set password of helper" }).click();
  const dialog = page.getByRole("dialog", { name: "New password for helper" });
  await expect(dialog).toBeVisible();
  const field = dialog.getByLabel("New password", { exact: true });
  await expect(field).toBeFocused();
  await expect(dialog.getByRole("checkbox", { name: /Also revoke helper's API tokens \(none active/ })).not.toBeChecked();
  await field.fill("short");
  await dialog.getByRole("button", { name: "Set password" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("The password needs at least 10 characters.");
  await page.screenshot({ path: `${SHOTS}/password-dialog-laptop.png` });
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  // Opened again: empty, no old error.
  await page.getByRole("button", { name: "Set password of helper" }).click();
  await expect(field).toHaveValue("");
  await expect(dialog.getByRole("alert")).toHaveCount(0);
  await field.fill("a-new-helper-password");
  await dialog.getByLabel("Confirm new password").fill("a-new-helper-password");
  await dialog.getByRole("button", { name: "Set password" }).click();
  await expect(dialog).toBeHidden();

  const helper = await (await page.context().browser()!.newContext()).newPage();
  await login(helper, app.url, "helper", "a-new-helper-password");
  await expect(helper.getByRole("article")).toHaveCount(14);
  await helper.context().close();

  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByLabel("Token name").fill("nightly-backup-check");
  await page.getByRole("button", { name: "Create token" }).click();
  // Stacked, a cell's name starts with its label (screen readers say it too).
  await expect(page.getByRole("cell", { name: "Name nightly-backup-check" })).toBeVisible();
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/settings-phone.png`, fullPage: true });

  await page.goto(app.url + "/audit");
  await expect(page.getByRole("cell", { name: "user.password" })).toBeVisible();
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  const row = page.getByRole("row").filter({ hasText: "user.password" });
  const box = (await row.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  expect(
    await row
      .getByRole("cell")
      .first()
      .evaluate((c) => getComputedStyle(c, "::before").content),
  ).toBe('"When"');
  await page.screenshot({ path: `${SHOTS}/audit-phone.png`, fullPage: true });
});

test("an unknown address gets Cowherd's own 404 with a way back, and no CSP errors", async ({ page }) => {
  const csp = cspViolations(page);
  await login(page, app.url);
  const res = await page.goto(app.url + "/no/such/page");
  expect(res!.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "There is no page here" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/not-found-laptop.png` });
  await page.getByRole("link", { name: "Back to the dashboard" }).click();
  await expect(page.getByRole("article")).toHaveCount(14);
  expect(csp).toEqual([]);
});
