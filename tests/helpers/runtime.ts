import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRuntime, setRuntime, type Runtime } from "@/lib/runtime";
import { expect, vi } from "vitest";
import type { DemoHost as SimHost } from "@/lib/host/sim/demo-host";
import { demoConfig } from "@/lib/config/demo";
import type { ConfigInput } from "@/lib/config/schema";

/** The standard API error body. */
export const errorShape = { error: { code: expect.any(String), message: expect.any(String) } };

/** Records every reset that reaches the host, so tests can prove bad input never got there. */
export function spyOnResets(sim: SimHost) {
  const calls = vi.fn<(ids: number[]) => void>();
  const reset = sim.reset.bind(sim);
  sim.reset = (ids, onStep, opts) => {
    calls(ids);
    return reset(ids, onStep, opts);
  };
  return calls;
}

export const ADMIN_PASSWORD = "test-admin-password";

/**
 * A real runtime on a throwaway data dir with the simulator frozen (no activity, no step delay).
 * `config` changes the demo config's keys (written to a file, as an admin would).
 */
export async function testRuntime(given: Record<string, string> = {}, config?: Partial<ConfigInput>): Promise<{ rt: Runtime; sim: SimHost; cleanup(): void }> {
  // The demo room without its game disk unless a test asks for it (COWHERD_SIM_GAMEDISK=1, or a config with one).
  const env = { COWHERD_SIM_GAMEDISK: "0", ...given };
  const dir = mkdtempSync(path.join(tmpdir(), "cowherd-test-"));
  if (config) writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...demoConfig(env), ...config }));
  const p = createRuntime(
    {
      ...(config ? { COWHERD_CONFIG: path.join(dir, "config.json") } : {}),
      COWHERD_DATA_DIR: dir,
      COWHERD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      COWHERD_SIM_ACTIVITY: "0",
      COWHERD_SIM_STEP_MS: "0",
      COWHERD_SIM_SCENARIO: "fresh",
      ...env,
    },
    () => undefined,
  );
  setRuntime(p);
  const rt = await p;
  return {
    rt,
    sim: rt.room.hosts()[0] as SimHost,
    cleanup() {
      rt.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
