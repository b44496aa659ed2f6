import { test as base, type Page } from "@playwright/test";
import { startServer, type RunningServer } from "../helpers/server";

export const PASSWORD = "e2e-admin-password";
export const SHOTS = "test-results/screenshots";

/**
 * A room of this test file's own: the production server on a fresh data dir, started before the
 * file's first test and stopped after its last. `app.url` is its base address.
 */
export function ownApp(env: Record<string, string>): { readonly url: string; readonly port: number; readonly server: RunningServer } {
  let server: RunningServer | undefined;
  base.beforeAll(async () => {
    server = await startServer({ COWHERD_ADMIN_PASSWORD: PASSWORD, ...env });
  });
  base.afterAll(async () => {
    await server?.stop();
  });
  return {
    get url() {
      return server!.url;
    },
    get port() {
      return server!.port;
    },
    get server() {
      return server!;
    },
  };
}

export async function login(page: Page, url = "", user = "admin", password = PASSWORD): Promise<void> {
  await page.goto(url + "/login");
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(url ? url + "/" : /\/$/);
}

export const card = (page: Page, name: string) => page.getByRole("article", { name });
export const usage = async (page: Page, name: string) => Number(await card(page, name).getByRole("meter").getAttribute("aria-valuenow"));
