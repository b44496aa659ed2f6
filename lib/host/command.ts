/**
 * The port between the helper's storage code and the kernel it drives: one external command and
 * its answer. The helper runs these for real (helper/node-runner.ts); the simulator answers them
 * in memory. The argv builders that make them live with the helper (helper/commands/).
 */

/** One external command: an absolute path, an argv array, a timeout. Never a shell string. */
export interface Command {
  file: string;
  args: string[];
  timeoutMs: number;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Runner = (cmd: Command) => Promise<CommandResult>;

/** The tools the helper runs, by absolute path (a command's `file` is always one of these). */
export const BIN = {
  dmsetup: "/usr/sbin/dmsetup",
  losetup: "/usr/sbin/losetup",
  tgtadm: "/usr/sbin/tgtadm",
  targetcli: "/usr/bin/targetcli",
  ietadm: "/usr/sbin/ietadm",
  dd: "/usr/bin/dd",
  fallocate: "/usr/bin/fallocate",
} as const;
