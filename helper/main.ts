// cowherd-helper: the one program the web app may run as root (through sudo -n, or over ssh).
import { loadConfigFile } from "../lib/config/load";
import { DmSupervisor, DmWorker } from "./storage/dm-worker";
import { nodeFs } from "./storage/fs-port";
import { nodeRunner, RUN_ENV } from "./node-runner";
import { runHelper } from "./run-helper";

// Fixed at build/install time, never taken from the caller (sudo resets the environment anyway).
const CONFIG_PATH = "/etc/cowherd/config.json";
const STATE_DIR = "/run/cowherd";
// The image versions' state must survive a reboot (not /run), and be root's alone (not the web app's data dir).
const LIB_DIR = "/var/lib/cowherd-helper";

async function main(): Promise<number> {
  let worker: DmSupervisor | null = null;
  try {
    const { code, output } = await runHelper(process.argv.slice(2), {
      config: () => loadConfigFile(CONFIG_PATH),
      run: nodeRunner(),
      fs: nodeFs,
      stateDir: STATE_DIR,
      libDir: LIB_DIR,
      dm: () => {
        nodeFs.mkdirp(STATE_DIR);
        return (worker = new DmSupervisor(() => new DmWorker(RUN_ENV)));
      },
      event: (line) => process.stderr.write(line + "\n"),
      agent: { input: process.stdin, write: (line) => process.stdout.write(line + "\n") },
    });
    if (output) process.stdout.write(JSON.stringify(output) + "\n");
    return code;
  } finally {
    (worker as DmSupervisor | null)?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stdout.write(JSON.stringify({ ok: false, error: { code: "internal", message: String(e instanceof Error ? e.message : e) } }) + "\n");
    process.exit(70);
  },
);
