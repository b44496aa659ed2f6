import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import type { Command, CommandResult, Runner } from "../lib/host/command";

const MAX_OUTPUT = 4 * 1024 * 1024;

/** The fixed environment every command runs with. */
export const RUN_ENV: Record<string, string> = {
  PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
  LC_ALL: "C",
  // Without udev (containers, the test guest) libdevmapper must create /dev/mapper nodes itself.
  ...(existsSync("/run/udev/control") ? {} : { DM_DISABLE_UDEV: "1" }),
};

/** spawn with an argv array (never a shell), a fixed minimal environment and a hard timeout. */
export function nodeRunner(): Runner {
  const env = RUN_ENV;
  return (cmd: Command) =>
    new Promise<CommandResult>((resolve) => {
      const child = spawn(cmd.file, cmd.args, { env: env as unknown as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"], shell: false });
      let stdout = "";
      let stderr = "";
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, cmd.timeoutMs);
      child.stdout.on("data", (d: Buffer) => {
        if (stdout.length < MAX_OUTPUT) stdout += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        if (stderr.length < MAX_OUTPUT) stderr += d.toString();
      });
      child.on("error", (e) => {
        clearTimeout(timer);
        resolve({ code: 127, stdout, stderr: `${cmd.file}: ${e.message}` });
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: timedOut ? 124 : (code ?? 128), stdout, stderr: timedOut ? `timed out after ${cmd.timeoutMs} ms` : stderr });
      });
    });
}
