import { expect, test, type Page } from "@playwright/test";
import { card, login, ownApp, PASSWORD, SHOTS } from "./app";

// Issue 21, items 10–12: a newcomer's rough edges in the dashboard. The demo room, frozen, with
// steps of 600 ms (a reset takes 3 s, so each step can be seen); retro-03 (up) is Invalid,
// retro-12 (up) overflowed, retro-10 (off) is Invalid.
const app = ownApp({
  COWHERD_SIM_ACTIVITY: "0",
  COWHERD_SIM_STEP_MS: "600",
  COWHERD_SIM_INIT: JSON.stringify({ "3": { health: "invalid" }, "12": { health: "overflow" }, "10": { health: "invalid" } }),
});
test.describe.configure({ timeout: 120_000 });

const LAPTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const STEPS = ["check", "dm-error", "cow-zero", "dm-load", "dm-resume"];

/** Every text a PC card's reset line shows, in order, as the page changes it. */
async function watchResetLine(page: Page, name: string) {
  await card(page, name)
    .getByTestId("reset-line")
    .evaluate((el) => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => seen[seen.length - 1] !== el.textContent && seen.push(el.textContent ?? "")).observe(el, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
  return () => page.evaluate(() => (window as unknown as { seen: string[] }).seen);
}

async function api(page: Page, method: string, path: string, body?: unknown) {
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const r = await fetch(app.url + path, {
    method,
    headers: { cookie, origin: app.url, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return r.json();
}

test("10: a reset shows its steps as they happen, in order", async ({ page }) => {
  await page.setViewportSize(LAPTOP);
  await login(page, app.url);
  const seen = await watchResetLine(page, "retro-05");
  await page.getByRole("button", { name: "Reset retro-05" }).click();
  await page.getByRole("dialog", { name: "Reset retro-05?" }).getByRole("button", { name: "Confirm reset" }).click();
  await expect(card(page, "retro-05").getByTestId("reset-line")).toHaveText(/^Resetting… (cow-zero|dm-load)$/);
  await card(page, "retro-05").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/reset-steps-laptop.png` });
  await expect(card(page, "retro-05").getByTestId("reset-line")).toHaveText(/^Last reset .+ ago \(\d+\.\d s\)$/);
  const texts = await seen();
  const steps = texts.map((t) => /^Resetting… (.+)$/.exec(t)?.[1]).filter((s): s is string => !!s && s !== "starting");
  // Each step of 600 ms is seen (the card polls every 300 ms while a PC resets), in the order run.
  expect(steps.length, texts.join(" | ")).toBeGreaterThanOrEqual(4);
  expect(steps.map((s) => STEPS.indexOf(s))).toEqual([...steps.map((s) => STEPS.indexOf(s))].sort((a, b) => a - b));
  expect(new Set(steps).size).toBe(steps.length);

  await page.setViewportSize(PHONE);
  await page.getByRole("button", { name: "Reset retro-05" }).click();
  await page.getByRole("dialog", { name: "Reset retro-05?" }).getByRole("button", { name: "Confirm reset" }).click();
  await expect(card(page, "retro-05").getByTestId("reset-line")).toHaveText(/^Resetting… (cow-zero|dm-load)$/);
  await card(page, "retro-05").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/reset-steps-phone.png` });
  await expect(card(page, "retro-05").getByTestId("reset-line")).toHaveText(/^Last reset/);
});

test("11: images — a running PC is warned about up front; force and Discard ask in the app's dialog; the comment is carried", async ({ page }) => {
  const native: string[] = [];
  page.on("dialog", (d) => {
    native.push(d.message());
    void d.dismiss();
  });
  await page.setViewportSize(LAPTOP);
  await login(page, app.url);
  await page.goto(app.url + "/images");
  // The demo room's two groups each have their own versions and form: retro-04 and retro-05 are Retro PCs.
  const start = page.getByRole("region", { name: "Retro PCs" }).getByRole("form", { name: "Start an update" });
  await start.getByLabel("PC").selectOption({ label: "retro-04" }); // running in the demo
  await expect(start.getByRole("alert")).toContainText("retro-04 is running right now.");
  await expect(start.getByRole("alert")).toContainText("Shut it down first");
  await page.screenshot({ path: `${SHOTS}/images-start-running-laptop.png` });
  await start.getByRole("button", { name: "Start update" }).click();
  const force = page.getByRole("dialog", { name: "Force update mode on retro-04?" });
  await expect(force).toContainText("restarting retro-04 into the draft: anything unsaved there is lost");
  await page.screenshot({ path: `${SHOTS}/images-force-laptop.png` });
  await force.getByRole("button", { name: "Cancel" }).click();
  await expect(force).toBeHidden();
  await expect(page.getByRole("region", { name: "Draft v2" })).toHaveCount(0);

  await start.getByLabel("PC").selectOption({ label: "retro-05" }); // off
  await expect(start.getByRole("alert")).toHaveCount(0);
  await start.getByLabel("What it is for (optional)").fill("New game patch");
  await start.getByRole("button", { name: "Start update" }).click();
  const draft = page.getByRole("region", { name: "Draft v2" });
  // Carried at once, while the copy runs (it used to appear only once the copy had ended).
  await expect(draft.getByRole("progressbar", { name: "Copy of v2" })).toBeVisible();
  await expect(draft.getByLabel("Comment for v2")).toHaveValue("New game patch");
  await expect(draft).toContainText("Ready", { timeout: 30_000 });
  await expect(draft.getByLabel("Comment for v2")).toHaveValue("New game patch");

  await page.setViewportSize(PHONE);
  await draft.getByRole("button", { name: "Discard" }).click();
  const discard = page.getByRole("dialog", { name: "Discard the draft of v2?" });
  await expect(discard).toContainText("Everything installed on it is lost.");
  await page.screenshot({ path: `${SHOTS}/images-discard-phone.png` });
  await discard.getByRole("button", { name: "Discard the draft" }).click();
  await expect(draft).toHaveCount(0);
  await start.getByLabel("PC").selectOption({ label: "retro-04" });
  await expect(start.getByRole("alert")).toContainText("retro-04 is running right now.");
  await page.screenshot({ path: `${SHOTS}/images-start-running-phone.png`, fullPage: true });
  expect(native).toEqual([]);
});

test("12: PC names link and look like links; /machines/999 says no such PC; ::1 in the audit; token copy; password confirmation; webhook placeholder", async ({
  page,
  context,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.setViewportSize(LAPTOP);
  await login(page, app.url);
  await api(page, "POST", "/api/machines/10/reset", { whenOnline: "refuse" });
  await page.goto(app.url + "/history");
  const pc = page.getByRole("link", { name: "retro-10" }).first();
  await expect(pc).toHaveAttribute("href", "/machines/10");
  const looksLikeLink = (l: typeof pc) =>
    l.evaluate(
      (el) => getComputedStyle(el).textDecorationLine.includes("underline") && getComputedStyle(el).color !== getComputedStyle(el.closest("td")!).color,
    );
  expect(await looksLikeLink(pc)).toBe(true);
  await page.screenshot({ path: `${SHOTS}/history-links-laptop.png` });
  await pc.click();
  await expect(page).toHaveURL(app.url + "/machines/10");

  await page.goto(app.url + "/events");
  const evLink = page.getByRole("table", { name: "Events" }).getByRole("link", { name: "retro-10" }).first();
  await expect(evLink).toBeVisible();
  expect(await looksLikeLink(evLink)).toBe(true);
  await page.screenshot({ path: `${SHOTS}/events-links-laptop.png` });

  // A real 404 (not a 200 that renders "not found" after the page started streaming).
  expect((await page.goto(app.url + "/machines/999"))!.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "No PC with id 999" })).toBeVisible();
  await expect(page.getByText("There is no page here")).toHaveCount(0);
  expect((await page.goto(app.url + "/machines/abc"))!.status()).toBe(404);
  expect((await page.goto(app.url + "/machines/1"))!.status()).toBe(200);
  await page.goto(app.url + "/machines/999");
  await page.screenshot({ path: `${SHOTS}/no-such-pc-laptop.png` });
  await page.getByRole("link", { name: "Back to the dashboard" }).click();
  await expect(page).toHaveURL(app.url + "/");

  // A login from ::1 (the server listens on both stacks): the audit says "::1".
  const v6 = `http://[::1]:${app.port}`;
  const r = await fetch(v6 + "/api/auth/login", {
    method: "POST",
    headers: { origin: v6, "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
  });
  expect(r.status).toBe(200);
  await page.goto(app.url + "/audit");
  await expect(
    page
      .getByRole("cell")
      .filter({ hasText: /^(From)?::1$/ })
      .first(),
  ).toBeVisible();
  await expect(page.getByRole("cell").filter({ hasText: /0:0:0|::ffff:/ })).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/audit-v6-laptop.png` });

  // A new token: a Copy button that puts it on the clipboard.
  await page.goto(app.url + "/settings");
  await page.getByLabel("Token name").fill("copy-me");
  await page.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByRole("status").filter({ hasText: "not shown again" });
  const token = (await shown.textContent())!.match(/cwh_[A-Za-z0-9_-]+/)![0];
  await shown.getByRole("button", { name: "Copy token copy-me" }).click();
  await expect(shown).toContainText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  await page.screenshot({ path: `${SHOTS}/token-copy-laptop.png` });

  // The password dialog: a confirmation field; a mismatch is said before anything is sent.
  const sent: string[] = [];
  page.on("request", (q) => q.url().includes("/api/users/") && sent.push(q.method()));
  await page.getByRole("button", { name: "Set password of admin" }).click();
  const dialog = page.getByRole("dialog", { name: "New password for admin" });
  await dialog.getByLabel("New password", { exact: true }).fill("a-long-password-1");
  await dialog.getByLabel("Confirm new password").fill("a-long-password-2");
  await dialog.getByRole("button", { name: "Set password" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("The two passwords differ: type the same password twice.");
  expect(sent).toEqual([]);
  await page.screenshot({ path: `${SHOTS}/password-mismatch-laptop.png` });
  await page.keyboard.press("Escape");

  // A new notification target's Name: a neutral placeholder that fits its kind.
  const name = page.getByLabel("Name", { exact: true });
  for (const [kind, want] of [
    ["JSON webhook", /Monitoring/],
    ["ntfy", /ntfy/],
    ["Discord", /channel/],
  ] as const) {
    await page.getByLabel("Kind").selectOption({ label: kind });
    await expect(name).toHaveAttribute("placeholder", want);
  }
  expect(await name.getAttribute("placeholder")).not.toMatch(/Admin/);

  await page.setViewportSize(PHONE);
  await page.goto(app.url + "/machines/999");
  await expect(page.getByRole("heading", { name: "No PC with id 999" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/no-such-pc-phone.png` });
  await page.goto(app.url + "/history");
  await page.screenshot({ path: `${SHOTS}/history-links-phone.png` });
});

test("12: without the clipboard API the token is selected for Ctrl+C", async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(navigator, "clipboard", { value: undefined }));
  await page.setViewportSize(PHONE);
  await login(page, app.url);
  await page.goto(app.url + "/settings");
  await page.getByLabel("Token name").fill("select-me");
  await page.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByRole("status").filter({ hasText: "not shown again" });
  const token = (await shown.textContent())!.match(/cwh_[A-Za-z0-9_-]+/)![0];
  await shown.getByRole("button", { name: "Copy token select-me" }).click();
  await expect(shown).toContainText("Selected: press Ctrl+C");
  expect(await page.evaluate(() => window.getSelection()?.toString())).toBe(token);
  await page.screenshot({ path: `${SHOTS}/token-select-phone.png` });
});

test("12: the bulk dialog's warning is true for the selection: lost disks are not 'crashed'", async ({ page }) => {
  await page.setViewportSize(LAPTOP);
  await login(page, app.url);
  // Up but already dead (retro-03 Invalid, retro-12 overflowed), and one off and dead (retro-10).
  for (const n of ["retro-03", "retro-12", "retro-10"]) await page.getByRole("checkbox", { name: `Select ${n}` }).check();
  await page.getByRole("button", { name: "Reset selected (3)" }).click();
  const dialog = page.getByRole("dialog", { name: "Reset 3 PCs?" });
  await expect(dialog.getByTestId("disk-lost")).toContainText("retro-03, retro-12: up, but their disks are already lost");
  await expect(dialog.getByRole("alert")).toHaveCount(0);
  await expect(dialog).not.toContainText(/crash/i);
  await expect(dialog).toContainText("already lost");
  await page.screenshot({ path: `${SHOTS}/bulk-dead-laptop.png` });
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // With one running PC whose disk works: only it is said to crash.
  await page.setViewportSize(PHONE);
  await page.getByRole("checkbox", { name: "Select retro-04" }).check();
  await page.getByRole("button", { name: "Reset selected (4)" }).click();
  const mixed = page.getByRole("dialog", { name: "Reset 4 PCs?" });
  await expect(mixed.getByRole("alert")).toContainText("1 of them is up right now: retro-04.");
  await expect(mixed.getByRole("alert")).not.toContainText("retro-03");
  await expect(mixed.getByRole("button", { name: "Reset all now, crash retro-04" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/bulk-mixed-phone.png` });
  await mixed.getByRole("button", { name: "Cancel" }).click();
});
