import path from "node:path";
import Database from "better-sqlite3";
import { expect, test } from "@playwright/test";
import { card, login, ownApp, SHOTS } from "./app";

// Pages that fail well (issue 7, item 7), on a room whose only storage host does not answer.
const app = ownApp({ COWHERD_SIM_ACTIVITY: "0", COWHERD_SIM_DOWN: "local" });

test("a storage host that is down on first paint: the page renders, says so, and marks its PCs", async ({ page }) => {
  await login(page, app.url);
  const res = await page.goto(app.url + "/");
  expect(res!.status()).toBe(200);
  await expect(page.getByRole("alert").filter({ hasText: "Storage host local unreachable since" })).toContainText("simulated outage");
  await expect(page.getByTestId("count-unreachable")).toHaveText("14 host unreachable");
  await expect(card(page, "retro-01")).toHaveAttribute("data-condition", "unreachable");
  await expect(card(page, "retro-01").getByTestId("state")).toHaveText("Host unreachable");
  await page.screenshot({ path: `${SHOTS}/host-down-laptop.png` });
});

test("while the dashboard loads, a skeleton of the grid's shape stands in for it", async ({ page }) => {
  await login(page, app.url);
  // The skeleton comes with the prefetch of the dashboard's loading state: wait for it (a busy
  // machine can be slower to prefetch than the test is to click).
  // History's own prefetch of the dashboard's loading state (its Referer says so): waiting for an
  // earlier prefetch let the click race this one, and the skeleton never came (CI failed so).
  const prefetched = page.waitForResponse(async (r) => {
    const u = new URL(r.url());
    if (u.pathname !== "/" || !u.searchParams.has("_rsc")) return false;
    const h = await r.request().allHeaders();
    // Next 16 prefetches the route tree first (a segment prefetch), then the loading state: that one.
    return !!h["next-router-prefetch"] && !h["next-router-segment-prefetch"] && new URL(h.referer ?? app.url).pathname === "/history";
  });
  await page.goto(app.url + "/history");
  await prefetched;
  // Hold back the dashboard's own render (not the prefetch of its loading state) until the skeleton was seen.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route(
    (url) => url.pathname === "/" && url.searchParams.has("_rsc"),
    async (route) => {
      if (route.request().headers()["next-router-prefetch"]) return route.continue();
      await held;
      await route.continue();
    },
  );
  await page.getByRole("link", { name: "Dashboard" }).click();
  const skeleton = page.getByTestId("skeleton");
  await expect(skeleton).toBeVisible();
  await expect(skeleton).toHaveAttribute("aria-label", "Loading the PCs");
  await page.screenshot({ path: `${SHOTS}/loading-laptop.png` });
  release();
  await expect(page.getByRole("article")).toHaveCount(14);
  await expect(card(page, "retro-01")).toHaveAttribute("data-condition", "unreachable");
  await expect(skeleton).toHaveCount(0);
});

test("when the dashboard itself fails, its error page says so and Try again recovers", async ({ page }) => {
  await login(page, app.url);
  // Break the history table under the running server (every grid render reads it), then mend it.
  const db = new Database(path.join(app.server.dataDir, "cowherd.sqlite"));
  try {
    db.exec("ALTER TABLE resets RENAME TO resets_away");
    await page.goto(app.url + "/");
    await expect(page.getByRole("heading", { name: "This page could not be shown" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible(); // the layout stays
    await page.screenshot({ path: `${SHOTS}/error-laptop.png` });
    db.exec("ALTER TABLE resets_away RENAME TO resets");
    await page.getByRole("button", { name: "Try again" }).click();
    await expect(page.getByRole("article")).toHaveCount(14);
  } finally {
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'resets_away'").get()) db.exec("ALTER TABLE resets_away RENAME TO resets");
    db.close();
  }
});
