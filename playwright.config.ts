import { defineConfig } from "@playwright/test";
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from "./tests/e2e/chromium";

/**
 * Browser tests: @playwright/test driving Debian's Chromium (Playwright's own browser download
 * cannot work here). The webServer is the production build on a fresh data dir for this run; a
 * test file that needs a room of its own starts one (tests/e2e/app.ts: a fresh data dir per file).
 * Every test sets up the state it needs: none counts on an earlier test having run.
 */
const PORT = Number(process.env.E2E_PORT ?? 3917);

export default defineConfig({
  testDir: "tests/e2e",
  testMatch: "*.spec.ts",
  outputDir: "test-results/playwright",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  // A test that passes only on a second try is a failure: never retried, and a flaky result (from
  // a --retries given on the command line) fails the run too.
  retries: 0,
  failOnFlakyTests: true,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1366, height: 900 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS },
  },
  webServer: {
    command: `node tests/e2e/serve.mjs`,
    url: `http://127.0.0.1:${PORT}/login`,
    reuseExistingServer: false,
    timeout: 240_000,
    stdout: "pipe",
    env: {
      PORT: String(PORT),
      HOST: "127.0.0.1",
      COWHERD_ADMIN_PASSWORD: "e2e-admin-password",
      COWHERD_SIM_ACTIVITY: "0",
      COWHERD_SIM_STEP_MS: "150",
      // The room the specs were written for: without the demo's game disk (tests/e2e/game-disk.spec.ts has its own room with it).
      COWHERD_SIM_GAMEDISK: "0",
      // The demo room, frozen, with retro-03 dead (Invalid) and retro-12 in PO overflow.
      COWHERD_SIM_INIT: JSON.stringify({ "3": { health: "invalid" }, "12": { health: "overflow" } }),
    },
  },
});
