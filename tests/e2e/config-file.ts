import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { demoConfig } from "../../lib/config/demo";
import type { ConfigInput } from "../../lib/config/schema";

/** A config file for a test file's own room: the demo room (COWHERD_SIM_PCS etc. from `env`) with keys changed. */
export function configFile(overrides: Partial<ConfigInput>, env: Record<string, string> = {}): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "cowherd-e2e-config-")), "config.json");
  writeFileSync(file, JSON.stringify({ ...demoConfig({ COWHERD_SIM_GAMEDISK: "0", ...env }), ...overrides }));
  return file;
}
