import { expect, test } from "@playwright/test";
import { demoConfig } from "../../lib/config/demo";
import { card, login, ownApp, SHOTS, sideways } from "./app";
import { configFile } from "./config-file";

// The demo room in two PC groups, each on its own master: retro-01..10 "Retro PCs", retro-11..14 "Newer PCs".
const env = { COWHERD_SIM_ACTIVITY: "0", COWHERD_SIM_STEP_MS: "50" };
const machines = demoConfig(env).machines.map((m) => ({ ...m, group: m.id <= 10 ? "retro" : "newer" }));
const app = ownApp({
  ...env,
  COWHERD_CONFIG: configFile(
    {
      groups: [
        { name: "retro", label: "Retro PCs" },
        { name: "newer", label: "Newer PCs", master: "/store/win7.img" },
      ],
      machines,
    },
    env,
  ),
});

test("two groups: the Images page has a section per group with its own PCs; the Group filter picks one group and its PCs are bulk reset alone", async ({
  page,
}) => {
  await login(page, app.url);
  await page.goto(app.url + "/images");
  const retro = page.getByRole("region", { name: "Retro PCs" });
  const newer = page.getByRole("region", { name: "Newer PCs" });
  await expect(retro).toContainText("10 (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)");
  await expect(newer).toContainText("4 (11, 12, 13, 14)");
  await page.screenshot({ path: `${SHOTS}/groups-images-laptop.png`, fullPage: true });

  await page.goto(app.url);
  await page.getByLabel("Group").selectOption({ label: "Newer PCs" });
  await expect(page.getByTestId("shown-count")).toHaveText("4 of 14 shown");
  await expect(card(page, "retro-01")).toHaveCount(0);
  await page.getByRole("checkbox", { name: "Select all 4 PCs shown" }).check();
  await page.getByRole("button", { name: "Reset selected (4)" }).click();
  await page.getByRole("dialog", { name: "Reset 4 PCs?" }).getByRole("button", { name: "Reset now anyway" }).click();
  await expect(page.getByText("Bulk reset: 4 of 4 succeeded")).toBeVisible();
  for (const n of ["retro-11", "retro-12", "retro-13", "retro-14"])
    await expect(card(page, n).getByRole("meter").first()).toHaveAttribute("aria-valuenow", "0");
  await page.getByLabel("Group").selectOption({ label: "All groups" });
  await expect(page.getByTestId("shown-count")).toHaveText("14 PCs");
  await expect(card(page, "retro-03").getByTestId("reset-line")).toHaveText("Last reset never");

  await page.setViewportSize({ width: 390, height: 844 });
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/groups-grid-phone.png` });
});
