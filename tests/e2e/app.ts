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
export const usage = async (page: Page, name: string) => Number(await card(page, name).getByRole("meter").first().getAttribute("aria-valuenow"));

/** Collects the page's Content-Security-Policy violations (none is the goal). */
export function cspViolations(page: Page): string[] {
  const found: string[] = [];
  page.on("console", (m) => /Content Security Policy|Refused to/i.test(m.text()) && found.push(m.text()));
  return found;
}

/** How far the page scrolls sideways (0 or less: it does not). */
export const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/**
 * The focus ring of the focused element as the browser draws it: style, width, offset, whether it
 * is :focus-visible, and its WCAG contrast against what surrounds it and against the control itself.
 */
export async function focusRing(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const s = getComputedStyle(el);
    const rgb = (color: string) => {
      const c = document.createElement("canvas").getContext("2d")!;
      c.fillStyle = color;
      c.fillRect(0, 0, 1, 1);
      return [...c.getImageData(0, 0, 1, 1).data.slice(0, 3)] as [number, number, number];
    };
    const opaque = (c: string) => c !== "transparent" && !/rgba\(.*,\s*0\)$/.test(c);
    let around = "rgb(255, 255, 255)";
    for (let p = el.parentElement; p; p = p.parentElement) {
      const bg = getComputedStyle(p).backgroundColor;
      if (opaque(bg)) {
        around = bg;
        break;
      }
    }
    const lum = (c: [number, number, number]) =>
      c.map((v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i]!, 0);
    const contrast = (a: string, b: string) => {
      const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((m, n) => n - m) as [number, number];
      return (x + 0.05) / (y + 0.05);
    };
    return {
      name: el.getAttribute("aria-label") ?? el.textContent,
      visible: el.matches(":focus-visible"),
      style: s.outlineStyle,
      width: parseFloat(s.outlineWidth),
      offset: parseFloat(s.outlineOffset),
      againstSurroundings: contrast(s.outlineColor, around),
      againstControl: contrast(s.outlineColor, opaque(s.backgroundColor) ? s.backgroundColor : around),
    };
  });
}
