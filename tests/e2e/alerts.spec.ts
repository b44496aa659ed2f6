import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { cspViolations, login, ownApp, SHOTS, sideways } from "./app";

// A room whose retro-04 fails every reset at dm-load, and whose retro-03 is dead from the start.
const app = ownApp({
  COWHERD_SIM_ACTIVITY: "0",
  COWHERD_SIM_STEP_MS: "50",
  COWHERD_SIM_FAIL: "4:dm-load:*",
  COWHERD_SIM_INIT: JSON.stringify({ "3": { health: "invalid" } }),
});

/** The local receiver a webhook posts to (loopback only). */
let receiver: Server;
let hookUrl = "";
const got: { path: string; body: { kind?: string } }[] = [];
test.beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      got.push({ path: req.url!, body: JSON.parse(body) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
test.afterAll(() => receiver.close());

test("notifications: a webhook added in Settings, tested against a local receiver; a failed reset reaches it; the Events page lists what happened", async ({
  page,
}) => {
  const csp = cspViolations(page);
  await login(page, app.url);
  await page.goto(app.url + "/settings");
  const form = page.getByRole("form", { name: "Add a notification target" });
  await form.getByLabel("Kind").selectOption("webhook");
  await form.getByLabel("Name").fill("ops hook");
  await form.getByLabel("URL").fill(hookUrl);
  await form.getByLabel("From severity").selectOption("danger");
  await form.getByRole("button", { name: "Add target" }).click();
  const row = page.getByRole("table", { name: "Notification targets" }).getByRole("row").filter({ hasText: "ops hook" });
  await expect(row).toContainText("danger and above");
  await row.getByRole("button", { name: "Send a test to ops hook" }).click();
  await expect(row.getByRole("status")).toHaveText("Test sent (HTTP 200)");
  expect(got[0]).toMatchObject({ path: "/hook", body: { source: "cowherd", kind: "test", title: "RetroLAN (demo): test notification" } });
  await page.screenshot({ path: `${SHOTS}/alerts-laptop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("region", { name: "Notifications" }).scrollIntoViewIfNeeded();
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/alerts-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1366, height: 900 });

  // A reset that fails: one danger event, and one notification for it.
  await page.goto(app.url + "/");
  await page.getByRole("button", { name: "Reset retro-04" }).click();
  await page.getByRole("dialog", { name: "Reset retro-04?" }).getByRole("button", { name: "Reset now anyway" }).click();
  await expect.poll(() => got.filter((g) => g.body.kind === "reset-failed").length, { timeout: 20_000 }).toBe(1);
  expect(got.find((g) => g.body.kind === "reset-failed")!.body).toMatchObject({
    severity: "danger",
    machine: { id: 4, name: "retro-04" },
    message: expect.stringMatching(/^Reset of retro-04 \(dashboard, by admin\) failed at dm-load: simulated failure in dm-load; /),
  });
  // retro-03 died before the target existed: it was not sent afterwards, and is not sent again.
  expect(got.some((g) => g.body.kind === "snapshot-invalid")).toBe(false);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" }).click();
  const events = page.getByRole("table", { name: "Events" });
  await expect(events.getByRole("row").filter({ hasText: "Reset of retro-04" })).toContainText("danger");
  await expect(events.getByRole("row").filter({ hasText: "retro-03 died at" })).toContainText("open");
  await expect(page.getByTestId("open-counts")).toContainText("1 danger");
  await page.getByLabel("Severity").selectOption("danger");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/severity=danger/);
  await expect(events.getByRole("row")).toHaveCount(3); // header + 2
  await page.screenshot({ path: `${SHOTS}/events-laptop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/events-phone.png`, fullPage: true });
  // A filter given twice is not dropped silently (the API answers 400): the page shows all and says why.
  await page.goto(app.url + "/events?severity=danger&severity=warn");
  await expect(page.getByRole("alert").filter({ hasText: "The address gives 'severity' more than once" })).toBeVisible();
  await expect(page.getByLabel("Severity")).toHaveValue("");
  expect(csp).toEqual([]);
});
