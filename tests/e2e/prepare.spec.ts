import { createSocket } from "node:dgram";
import { expect, test } from "@playwright/test";
import { cspViolations, login, ownApp, SHOTS, sideways } from "./app";

/** The Wake-on-LAN receiver on loopback: the room's broadcast address is 127.0.0.1 in the demo config. */
const PORT = 41000 + Math.floor(Math.random() * 4000);
const packets: { at: number; mac: string; size: number }[] = [];
const udp = createSocket("udp4");
test.beforeAll(async () => {
  udp.on("message", (m) => packets.push({ at: Date.now(), mac: m.subarray(6, 12).toString("hex"), size: m.length }));
  await new Promise<void>((r) => udp.bind(PORT, "127.0.0.1", () => r()));
});
test.afterAll(() => udp.close());

// The frozen demo room: retro-05 and retro-10 are off; retro-05's network card does not answer Wake-on-LAN.
const app = ownApp({ COWHERD_SIM_ACTIVITY: "0", COWHERD_SIM_STEP_MS: "50", COWHERD_SIM_WOL_PORT: String(PORT), COWHERD_SIM_BOOT_MS: "1500", COWHERD_SIM_INIT: JSON.stringify({ "5": { wol: false } }) });

test("prepare for the event: choose, reset (off now, up at next boot), wake staggered, watch, who did not come up and why", async ({ page }) => {
  const csp = cspViolations(page);
  await login(page, app.url);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Prepare" }).click();
  await expect(page.getByRole("heading", { name: "Prepare for the event" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Choose the PCs" })).toContainText("14 of 14 PCs chosen: 2 off, 12 up.");
  await page.screenshot({ path: `${SHOTS}/prepare-choose-laptop.png`, fullPage: true });
  await page.getByRole("button", { name: "Next: reset 14 PCs" }).click();
  await page.getByRole("button", { name: "Reset 2 now, 12 at next boot" }).click();
  await expect(page.getByTestId("prepare-reset")).toContainText("Reset done: 2 of 2 fresh");
  await expect(page.getByTestId("prepare-reset")).toContainText("At their next boot: retro-01, retro-02, retro-03, retro-04, retro-06");
  await page.getByRole("button", { name: "Next: wake them" }).click();
  await page.getByLabel("PCs at a time").fill("1");
  await page.getByLabel("Every (seconds)").fill("0.5");
  await page.getByRole("button", { name: "Wake 2 PCs" }).click();
  await expect(page.getByTestId("wake-progress")).toContainText("2 of 2 packets sent");
  await expect(page.getByTestId("online-count")).toHaveText("13 of 14 online", { timeout: 20_000 });
  const notUp = page.getByTestId("not-up");
  await expect(notUp.getByRole("listitem")).toHaveCount(1);
  await expect(notUp).toContainText("retro-05");
  await expect(notUp).toContainText("no sign of it since the packet: check its power, and Wake-on-LAN in its BIOS and network card");
  // The packets really went out: 102 bytes each, to the configured address and port, one batch every 0.5 s.
  expect(packets.map((p) => [p.mac, p.size])).toEqual([["525400000005", 102], ["52540000000a", 102]]);
  expect(packets[1]!.at - packets[0]!.at).toBeGreaterThanOrEqual(400);
  await page.screenshot({ path: `${SHOTS}/prepare-watch-laptop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/prepare-watch-phone.png`, fullPage: true });
  await page.getByRole("button", { name: "1. Choose the PCs" }).click();
  await page.screenshot({ path: `${SHOTS}/prepare-choose-phone.png`, fullPage: true });
  // The Events page has the wake-up.
  await page.goto(app.url + "/events?kind=wake");
  await expect(page.getByRole("table", { name: "Events" })).toContainText("admin woke 2 PCs (1 every 0.5 s to 127.0.0.1:" + PORT + ")");
  expect(csp).toEqual([]);
});
