// cowherd-helper: the one program the web app may run as root (through sudo -n).
import { loadConfigFile } from "../lib/config/load";
import { nodeFs } from "../lib/host/storage/fs-port";
import { nodeRunner } from "./node-runner";
import { runHelper } from "./run-helper";

// Fixed at build/install time, never taken from the caller (sudo resets the environment anyway).
const CONFIG_PATH = "/etc/cowherd/config.json";
const STATE_DIR = "/run/cowherd";

async function main(): Promise<number> {
  const { code, output } = await runHelper(process.argv.slice(2), {
    config: () => loadConfigFile(CONFIG_PATH),
    run: nodeRunner(),
    fs: nodeFs,
    stateDir: STATE_DIR,
    event: (line) => process.stderr.write(line + "\n"),
  });
  process.stdout.write(JSON.stringify(output) + "\n");
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stdout.write(JSON.stringify({ ok: false, error: { code: "internal", message: String(e instanceof Error ? e.message : e) } }) + "\n");
    process.exit(70);
  },
);
