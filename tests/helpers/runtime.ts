import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRuntime, setRuntime, type Runtime } from "@/lib/runtime";
import { expect, vi } from "vitest";
import type { SimHost } from "@/lib/host/sim/sim-host";

/** The standard API error body. */
export const errorShape = { error: { code: expect.any(String), message: expect.any(String) } };

/** Records every reset that reaches the host, so tests can prove bad input never got there. */
export function spyOnResets(sim: SimHost) {
  const calls = vi.fn<(id: number) => void>();
  const reset = sim.reset.bind(sim);
  sim.reset = (id, onStep) => {
    calls(id);
    return reset(id, onStep);
  };
  return calls;
}

export const ADMIN_PASSWORD = "test-admin-password";

/** A real runtime on a throwaway data dir with the simulator frozen (no activity, no step delay). */
export async function testRuntime(env: Record<string, string> = {}): Promise<{ rt: Runtime; sim: SimHost; cleanup(): void }> {
  const dir = mkdtempSync(path.join(tmpdir(), "cowherd-test-"));
  const p = createRuntime(
    {
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
    sim: rt.host as SimHost,
    cleanup() {
      rt.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
