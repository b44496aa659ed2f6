import type { Config } from "../lib/config/schema";
import type { Runner } from "../lib/host/command";
import { HELPER_EXIT, type HelperOutput } from "../lib/host/protocol";
import { errorText } from "../lib/host/step-error";
import { serve } from "./agent";
import { gameDisksOf, parseHelperArgs, UsageError } from "./args";
import { runVerb } from "./run-verb";
import type { FsPort } from "./storage/fs-port";
import type { LockHolder } from "./storage/locks";
import type { DmOps } from "./storage/reset-plan";
import { Storage } from "./storage/storage";

export interface HelperIo {
  config: () => Config;
  run: Runner;
  fs: FsPort;
  /** The dm worker's operations, started only when a verb needs them (status and version do not), and started again after it died (DmSupervisor). */
  dm: () => DmOps & LockHolder;
  stateDir: string;
  /** Where the image versions' state file lives (default /var/lib/cowherd-helper). */
  libDir?: string;
  /** The process id the helper's journals and pins name (default: this process's; a simulated kernel has its own). */
  pid?: number;
  /** One-shot progress lines (stderr). */
  event: (line: string) => void;
  /** The agent's request stream and answer lines (stdin/stdout), for `serve`. */
  agent?: { input: NodeJS.ReadableStream; write(line: string): void };
}

/** The helper minus process plumbing: argv in, exit code and one JSON document out (none for serve). */
export async function runHelper(argv: readonly string[], io: HelperIo): Promise<{ code: number; output: HelperOutput | null }> {
  let config: Config;
  try {
    config = io.config();
  } catch (e) {
    return { code: HELPER_EXIT.config, output: { ok: false, error: { code: "config", message: errorText(e) } } };
  }
  let parsed: ReturnType<typeof parseHelperArgs>;
  try {
    parsed = parseHelperArgs(argv, new Set(config.machines.map((m) => m.id)), new Set(config.groups.map((g) => g.name)), gameDisksOf(config));
  } catch (e) {
    if (e instanceof UsageError) return { code: HELPER_EXIT.usage, output: { ok: false, error: { code: "usage", message: e.message } } };
    throw e;
  }
  let dm: (DmOps & LockHolder) | null = null;
  const lazyDm = () => (dm ??= io.dm());
  const storage = new Storage({
    config,
    run: io.run,
    fs: io.fs,
    stateDir: io.stateDir,
    ...(io.libDir ? { libDir: io.libDir } : {}),
    ...(io.pid !== undefined ? { pid: io.pid } : {}),
    dm: {
      wipe: (devs) => lazyDm().wipe(devs),
      load: (devs) => lazyDm().load(devs),
      resume: (names) => lazyDm().resume(names),
      clear: (names) => lazyDm().clear(names),
      lock: (p) => lazyDm().lock(p),
      unlock: (p) => lazyDm().unlock(p),
    },
  });
  if (parsed.verb === "serve") {
    if (!io.agent) return { code: HELPER_EXIT.usage, output: { ok: false, error: { code: "usage", message: "serve needs its stdin and stdout" } } };
    return { code: await serve(config, storage, io.agent), output: null };
  }
  return runVerb(parsed, config, storage, (machine, step) => io.event(JSON.stringify({ event: "step", machine, step })));
}
