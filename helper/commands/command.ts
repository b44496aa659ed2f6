import type { Command, CommandResult, Runner } from "../../lib/host/command";

export class CommandError extends Error {
  override name = "CommandError";
  constructor(
    readonly cmd: Command,
    readonly result: CommandResult | null,
    message: string,
  ) {
    super(message);
  }
}

/** Runs and demands exit code 0; the error message carries the tool's own words. */
export async function check(run: Runner, cmd: Command): Promise<CommandResult> {
  const r = await run(cmd);
  if (r.code !== 0) {
    const why = (r.stderr.trim() || r.stdout.trim()).split("\n").slice(-2).join(" ").slice(0, 400);
    throw new CommandError(cmd, r, `${cmd.file.split("/").pop()} ${cmd.args.join(" ")} failed (exit ${r.code}): ${why || "no message"}`);
  }
  return r;
}

export const TIMEOUT = { quick: 15_000, io: 60_000 } as const;
