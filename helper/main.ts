// cowherd-helper: the one program the web app may run as root (through sudo -n, or over ssh).
import { loadConfigFile } from "../lib/config/load";
import { DmWorker } from "./storage/dm-worker";
import { nodeFs } from "./storage/fs-port";
import { nodeRunner, RUN_ENV } from "./node-runner";
import { runHelper } from "./run-helper";

// Fixed at build/install time, never taken from the caller (sudo resets the environment anyway).
const CONFIG_PATH = "/etc/cowherd/config.json";
const STATE_DIR = "/run/cowherd";
// The image versions' state must survive a reboot (not /run), and be root's alone (not the web app's data dir).
const LIB_DIR = "/var/lib/cowherd-helper";

async function main(): Promise<number> {
  let worker: DmWorker | null = null;
  try {
    const { code, output } = await runHelper(process.argv.slice(2), {
      config: () => loadConfigFile(CONFIG_PATH),
      run: nodeRunner(),
      fs: nodeFs,
      stateDir: STATE_DIR,
      libDir: LIB_DIR,
      dm: () => {
        nodeFs.mkdirp(STATE_DIR);
        worker = new DmWorker(RUN_ENV);
        const w = worker;
        /** One request per device, run at once; the devices that failed, with why. */
        const all = async (names: string[], lines: string[]) => {
          const answers = await w.askAll(lines);
          return new Map(names.flatMap((n, i) => (answers[i] instanceof Error ? [[n, answers[i] as Error] as const] : [])));
        };
        return {
          wipe: (devs) => all(devs.map((d) => d.name), devs.map((d) => `wipe ${d.name} ${d.sectors}`)),
          // A table line starts "0 <sectors>": the worker's load takes the sectors onwards.
          load: (devs) => all(devs.map((d) => d.name), devs.map((d) => `load ${d.name} ${d.table.replace(/^0 /, "")}`)),
          resume: (names) => all(names, names.map((n) => `resume ${n}`)),
          clear: (names) => all(names, names.map((n) => `clear ${n}`)),
          lock: (path) => w.ask(`lock ${path}`).then((a) => a !== "busy"),
          unlock: (path) => w.ask(`unlock ${path}`).then(() => undefined),
        };
      },
      event: (line) => process.stderr.write(line + "\n"),
      agent: { input: process.stdin, write: (line) => process.stdout.write(line + "\n") },
    });
    if (output) process.stdout.write(JSON.stringify(output) + "\n");
    return code;
  } finally {
    (worker as DmWorker | null)?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stdout.write(JSON.stringify({ ok: false, error: { code: "internal", message: String(e instanceof Error ? e.message : e) } }) + "\n");
    process.exit(70);
  },
);
