import { PassThrough } from "node:stream";
import { errorText } from "../step-error";
import type { HelperOutput } from "../protocol";
import type { AgentProcess, Spawner } from "./agent-connection";

/** A helper started in this process: its serve loop's end, and how to kill it. */
export interface InProcessHelper {
  /** Resolves when `serve` returns (its stdin closed), with what the helper would print and exit with. */
  done: Promise<{ code: number; output: HelperOutput | null }>;
  /**
   * The process dies at once (its simulated kernel fails every later operation, its locks are
   * freed); answers how it ended, as the connection reports it (default: SIGKILL).
   */
  kill(): string | undefined;
}

/**
 * The agent as an in-process helper: `start` runs `cowherd-helper serve` (runHelper over a
 * simulated kernel) with these pipes as its stdin and stdout, so the web app's side — hello,
 * version check, step events, errors, restarts — is the very code that talks to a real host.
 * `start` throwing is a host that does not answer (the spawn failed).
 */
export function inProcessSpawner(start: (agent: { input: NodeJS.ReadableStream; write(line: string): void }) => InProcessHelper): Spawner {
  return () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const helper = start({ input: stdin, write: (line) => void stdout.write(line + "\n") });
    let killed!: (how: string) => void;
    const kill = new Promise<string>((r) => (killed = r));
    const exited = Promise.race([
      kill,
      helper.done.then(
        ({ code, output }) => {
          // A helper that could not serve prints its one JSON answer, as main.ts does.
          if (output) stdout.write(JSON.stringify(output) + "\n");
          return `exit code ${code}`;
        },
        (e: unknown) => {
          stderr.write(`cowherd-helper: ${errorText(e)}\n`);
          return "exit code 70";
        },
      ),
    ]);
    const proc: AgentProcess = {
      write: (line) => void (stdin.writable && stdin.write(line + "\n")),
      onData: (fn) => void stdout.on("data", fn),
      onStderr: (fn) => void stderr.on("data", fn),
      // Lines already written are read before the exit is reported, as with a real pipe.
      exited: exited.then((how) => new Promise<string>((r) => setImmediate(() => r(how)))),
      end: () => void stdin.end(),
      kill: () => {
        const how = helper.kill();
        stdin.end();
        killed(how || "killed by SIGKILL");
      },
    };
    return proc;
  };
}
