import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRuntime, setRuntime, type Runtime } from "@/lib/runtime";
import type { SimHost } from "@/lib/host/sim/sim-host";

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
