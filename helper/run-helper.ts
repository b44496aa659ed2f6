import type { Config } from "../lib/config/schema";
import type { Runner } from "../lib/host/commands/command";
import { HELPER_EXIT, type HelperOutput } from "../lib/host/helper-protocol";
import { errorText } from "../lib/host/reset-sequence";
import { StepError, StorageHost } from "../lib/host/storage/storage-host";
import type { FsPort } from "../lib/host/storage/fs-port";
import { parseHelperArgs, UsageError } from "./args";

export const HELPER_VERSION = "1.0.0";

export interface HelperIo {
  config: () => Config;
  run: Runner;
  fs: FsPort;
  stateDir: string;
  event: (line: string) => void;
}

/** The helper minus process plumbing: argv in, exit code and one JSON document out. */
export async function runHelper(argv: readonly string[], io: HelperIo): Promise<{ code: number; output: HelperOutput }> {
  let config: Config;
  try {
    config = io.config();
  } catch (e) {
    return { code: HELPER_EXIT.config, output: { ok: false, error: { code: "config", message: errorText(e) } } };
  }
  let parsed;
  try {
    parsed = parseHelperArgs(argv, new Set(config.machines.map((m) => m.id)));
  } catch (e) {
    if (e instanceof UsageError) return { code: HELPER_EXIT.usage, output: { ok: false, error: { code: "usage", message: e.message } } };
    throw e;
  }
  if (parsed.verb === "version") return { code: 0, output: { ok: true, verb: "version", version: HELPER_VERSION } };
  const host = new StorageHost({
    config,
    run: io.run,
    fs: io.fs,
    stateDir: io.stateDir,
    onStep: (id, step) => io.event(JSON.stringify({ event: "step", id, step })),
  });
  try {
    // A reset a crashed helper left half done is finished first, whatever the verb.
    const repaired = await host.repairStale();
    switch (parsed.verb) {
      case "status":
        return { code: 0, output: { ok: true, verb: "status", machines: await host.status() } };
      case "repair": {
        const results = [...repaired, ...(await host.up(config.machines.map((m) => m.id)))];
        const ok = results.every((r) => r.ok);
        return { code: ok ? 0 : HELPER_EXIT.failed, output: { ok, verb: "repair", machines: results } };
      }
      case "reset": {
        const reports = await host.reset(parsed.ids);
        const ok = reports.every((r) => r.ok);
        return { code: ok ? 0 : HELPER_EXIT.failed, output: { ok, verb: "reset", reports } };
      }
      case "up":
      case "down": {
        const ids = parsed.ids === "all" ? config.machines.map((m) => m.id) : parsed.ids;
        const results = parsed.verb === "up" ? await host.up(ids) : await host.down(ids);
        const ok = results.every((r) => r.ok);
        return { code: ok ? 0 : HELPER_EXIT.failed, output: { ok, verb: parsed.verb, machines: results } };
      }
      case "grow": {
        try {
          const { totalSectors } = await host.grow(parsed.id, parsed.mib);
          return { code: 0, output: { ok: true, verb: "grow", id: parsed.id, totalSectors } };
        } catch (e) {
          const step = e instanceof StepError ? e.step : "grow";
          return { code: step === "validate" ? HELPER_EXIT.usage : HELPER_EXIT.failed, output: { ok: false, verb: "grow", id: parsed.id, step, error: errorText(e) } };
        }
      }
    }
  } catch (e) {
    return { code: HELPER_EXIT.host, output: { ok: false, error: { code: "host", message: errorText(e), ...(e instanceof StepError ? { step: e.step } : {}) } } };
  }
}
