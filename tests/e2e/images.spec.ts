import { expect, test } from "@playwright/test";
import { card, login, ownApp, SHOTS, sideways } from "./app";

// The demo room, frozen; a simulated copy takes 10 steps of 700 ms, so its progress can be seen.
const app = ownApp({ COWHERD_SIM_ACTIVITY: "0", COWHERD_SIM_STEP_MS: "700" });

test("update mode on one PC, publish, PCs on the older version say so, refusals in words, rollback", async ({ page }) => {
  page.on("dialog", (d) => void d.accept());
  // The demo room's two groups each have their own versions: these steps are the Retro PCs' (retro-01..10).
  const retro = page.getByRole("region", { name: "Retro PCs" });
  await login(page, app.url);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Images" }).click();
  await expect(page.getByRole("heading", { name: "Master images" })).toBeVisible();
  await expect(retro.getByRole("row", { name: "v1", exact: true })).toContainText("current");

  const start = retro.getByRole("form", { name: "Start an update" });
  await start.getByLabel("PC").selectOption({ label: "retro-05" });
  await start.getByLabel("What it is for (optional)").fill("Windows updates + new game patch");
  await start.getByRole("button", { name: "Start update" }).click();
  const draft = page.getByRole("region", { name: "Draft v2" });
  await expect(draft).toContainText("Update in progress: draft v2 on retro-05");
  await expect(draft.getByRole("progressbar", { name: "Copy of v2" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/images-copying-laptop.png` });
  await expect(draft).toContainText("Ready", { timeout: 20_000 });
  await expect(draft.getByLabel("Comment for v2")).toHaveValue("Windows updates + new game patch");
  await page.screenshot({ path: `${SHOTS}/images-draft-laptop.png`, fullPage: true });

  // The grid marks the update PC.
  await page.goto(app.url + "/");
  const update = card(page, "retro-05").getByTestId("update-pc");
  await expect(update).toContainText("Update PC · boots the draft of v2 read-write");
  await card(page, "retro-05").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/update-card-laptop.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await card(page, "retro-05").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/update-card-phone.png` });
  await page.setViewportSize({ width: 1366, height: 900 });

  await page.goto(app.url + "/images");
  await page.getByRole("button", { name: "Publish v2" }).click();
  await expect(retro.getByRole("row", { name: "v2", exact: true })).toContainText("current");
  await expect(retro.getByRole("row", { name: "v2", exact: true })).toContainText("Windows updates + new game patch");
  await expect(retro.getByRole("row", { name: "v2", exact: true })).toContainText("by admin");

  // Every PC still sits on v1 and says where it goes.
  await page.goto(app.url + "/");
  await expect(card(page, "retro-01").getByTestId("older-version")).toHaveText("On v1 — moves to v2 at its next reset");
  await page.screenshot({ path: `${SHOTS}/moves-at-next-reset-laptop.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/moves-at-next-reset-phone.png` });
  await page.setViewportSize({ width: 1366, height: 900 });

  // Deleting v1 while PCs sit on it is refused, and says why.
  await page.goto(app.url + "/images");
  await retro.getByRole("row", { name: "v1", exact: true }).getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog", { name: "Delete v1 for good?" }).getByRole("button", { name: "Delete v1" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "v1 is in use by PCs" })).toContainText("they move off it at their next reset");
  await expect(retro.getByRole("row", { name: "v1", exact: true })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/images-laptop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/images-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1366, height: 900 });

  // Rollback: v1 current again; the log has every step with who and which version.
  await page.getByRole("button", { name: "Roll back to v1" }).click();
  await expect(retro.getByRole("row", { name: "v1", exact: true })).toContainText("current");
  const steps = page.getByRole("region", { name: "Image steps" }).getByRole("row");
  await expect(steps.nth(1)).toContainText(/make current\s*v1\s*admin\s*ok/);
  await expect(steps.nth(2)).toContainText(/delete\s*v1\s*admin\s*refused/);
  await page.goto(app.url + "/");
  await expect(card(page, "retro-01").getByTestId("older-version")).toHaveCount(0);
});
