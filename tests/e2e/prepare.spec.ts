import { createSocket } from "node:dgram";
import { expect, test, type Page } from "@playwright/test";
import { demoConfig } from "../../lib/config/demo";
import type { MachinesView } from "../../lib/status/machines-view";
import { cspViolations, login, ownApp, SHOTS, sideways } from "./app";
import { configFile } from "./config-file";

/** The Wake-on-LAN receiver on loopback: the room's broadcast address is 127.0.0.1 in the demo config. */
const PORT = 41000 + Math.floor(Math.random() * 4000);
const packets: { at: number; mac: string; size: number }[] = [];
const udp = createSocket("udp4");
test.beforeAll(async () => {
  udp.on("message", (m) => packets.push({ at: Date.now(), mac: m.subarray(6, 12).toString("hex"), size: m.length }));
  await new Promise<void>((r) => udp.bind(PORT, "127.0.0.1", () => r()));
});
test.afterAll(() => udp.close());
test.beforeEach(() => void packets.splice(0));

/** A frozen demo room of its own (retro-05 and retro-10 off, the rest running), a PC gets BOOT_WAIT s after its packet. */
const BOOT_WAIT = 8;
function room(init: Record<string, object>) {
  const env = {
    COWHERD_SIM_ACTIVITY: "0",
    COWHERD_SIM_STEP_MS: "50",
    COWHERD_SIM_WOL_PORT: String(PORT),
    COWHERD_SIM_BOOT_MS: "1500",
    COWHERD_SIM_INIT: JSON.stringify(init),
  };
  return ownApp({ ...env, COWHERD_CONFIG: configFile({ wol: { ...demoConfig(env).wol, bootWaitSeconds: BOOT_WAIT } }, env) });
}

async function openPrepare(page: Page, url: string) {
  await login(page, url);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Prepare" }).click();
  await expect(page.getByRole("heading", { name: "Prepare for the event" })).toBeVisible();
}

const machines = async (page: Page, url: string) => ((await (await page.request.get(url + "/api/machines")).json()) as MachinesView).machines;

test.describe("the whole flow", () => {
  // retro-05's network card does not answer Wake-on-LAN; retro-03 (Invalid) and retro-12 (Overflow) run on lost disks.
  const app = room({ "5": { wol: false }, "3": { health: "invalid" }, "12": { health: "overflow" } });

  test("choose, reset (off and lost disks now, the others at next boot), wake staggered, wait the boot time, then who is not ready and why", async ({
    page,
  }) => {
    const csp = cspViolations(page);
    await openPrepare(page, app.url);
    await expect(page.getByRole("region", { name: "Choose the PCs" })).toContainText(
      "14 of 14 PCs chosen: 2 off, 12 up, 2 with a lost disk (Invalid/Overflow).",
    );
    await page.screenshot({ path: `${SHOTS}/prepare-choose-laptop.png`, fullPage: true });
    await page.getByRole("button", { name: "Next: reset 14 PCs" }).click();
    await expect(page.getByRole("region", { name: "Reset them" })).toContainText("2 with a lost disk (retro-03, retro-12): reset now, even if running");
    // A lost disk has nothing to protect: it is reset now although it runs, not marked for its next boot.
    await page.getByRole("button", { name: "Reset 4 now, 10 at next boot" }).click();
    await expect(page.getByTestId("prepare-reset")).toContainText("Reset done: 4 of 4 fresh");
    await expect(page.getByTestId("prepare-reset")).toContainText(
      "At their next boot: retro-01, retro-02, retro-04, retro-06, retro-07, retro-08, retro-09, retro-11, retro-13, retro-14",
    );
    for (const id of [3, 12])
      expect((await machines(page, app.url)).find((m) => m.id === id)).toMatchObject({ condition: "normal", pendingReset: null, online: true });
    await page.getByRole("button", { name: "Next: wake them" }).click();
    await page.getByLabel("PCs at a time").fill("1");
    await page.getByLabel("Every (seconds)").fill("0.5");
    await page.getByRole("button", { name: "Wake 2 PCs" }).click();
    const notUp = page.getByTestId("not-up");
    // Just after its packet a PC is waiting, not missing: it gets its boot time first.
    await expect(notUp.getByRole("listitem", { name: "retro-05" })).toContainText(/waiting… \(packet sent \d s ago; a PC gets 8 s to start booting\)/);
    await expect(page.getByTestId("wake-progress")).toContainText("2 of 2 packets sent");
    // retro-10 boots; the lost disks were reset: those three are ready. The ten marked PCs are not (their reset still waits).
    await expect(page.getByTestId("online-count")).toHaveText("3 of 14 ready", { timeout: 20_000 });
    await expect(page.getByTestId("reset-summary")).toHaveText("Disks: 4 reset now, 10 at their next boot (10 still waiting)");
    await expect(notUp.getByRole("listitem", { name: "retro-01" })).toContainText(
      "its reset waits for its next boot: restart it (its boot script resets it first), or reset it now if nobody is using it",
    );
    await expect(notUp.getByRole("listitem", { name: "retro-05" })).toContainText(
      "no sign of it 8 s after the packet: check its power, and Wake-on-LAN in its BIOS and network card",
      { timeout: 20_000 },
    );
    expect(Date.now() - packets.find((p) => p.mac === "525400000005")!.at).toBeGreaterThanOrEqual(BOOT_WAIT * 1000 - 500);
    await expect(notUp.getByRole("listitem")).toHaveCount(11);
    await expect(page.getByTestId("all-up")).toHaveCount(0);
    // The packets really went out: 102 bytes each, to the configured address and port, one batch every 0.5 s.
    expect(packets.map((p) => [p.mac, p.size])).toEqual([
      ["525400000005", 102],
      ["52540000000a", 102],
    ]);
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
});

test.describe("a room with lost disks", () => {
  // Three running PCs whose disks are lost: online, but not ready for anyone.
  const app = room({ "3": { health: "invalid" }, "8": { health: "invalid" }, "12": { health: "overflow" } });

  test("online is not ready: lost disks are listed with what to do, and the all-clear comes only once they are reset", async ({ page }) => {
    await page.setViewportSize({ width: 1366, height: 768 });
    await openPrepare(page, app.url);
    await page.getByRole("button", { name: "Next: reset 14 PCs" }).click();
    await page.getByRole("region", { name: "Reset them" }).getByRole("button", { name: "Skip" }).click();
    await page.getByRole("button", { name: "Wake 2 PCs" }).click();
    await expect(page.getByTestId("wake-progress")).toContainText("2 of 2 packets sent");
    // Every PC comes online, but three of them run on lost disks.
    const notUp = page.getByTestId("not-up");
    await expect(page.getByTestId("online-count")).toHaveText("11 of 14 ready", { timeout: 20_000 });
    await expect(notUp.getByRole("listitem")).toHaveCount(3);
    await expect(notUp.getByRole("listitem", { name: "retro-03" })).toContainText("Invalid: its disk is already lost, nothing on it to keep: reset it now");
    await expect(notUp.getByRole("listitem", { name: "retro-12" })).toContainText("Overflow: its disk is already lost, nothing on it to keep: reset it now");
    await expect(page.getByTestId("all-up")).toHaveCount(0);
    await page.screenshot({ path: `${SHOTS}/prepare-lost-disks-laptop.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/prepare-lost-disks-phone.png` });
    await page.setViewportSize({ width: 1366, height: 768 });
    // Reset now although they run: nothing on them to protect.
    await page.getByRole("button", { name: "Reset the 3 lost disks now" }).click();
    await expect(page.getByTestId("online-count")).toHaveText("14 of 14 ready");
    await expect(page.getByTestId("all-up")).toHaveText("Every chosen PC is online and healthy, with no reset waiting. Have a good event!");
    expect((await machines(page, app.url)).filter((m) => m.condition !== "normal" && m.condition !== "warn")).toEqual([]);
  });
});
