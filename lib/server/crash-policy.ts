import { errorText } from "../host/step-error";

/**
 * What the server process does with a failure nobody handled — decided here, for the whole process:
 *
 *  - A rejected promise nobody handled is logged with its stack and the server keeps serving. It is
 *    one operation whose failure went unheard (a lost event row, a look at the room that failed), not
 *    memory left half-changed: what matters is in SQLite (transactions) and on the storage hosts.
 *    Exiting would cut every reset in flight (rows "interrupted"), every dashboard, and the boot
 *    scripts the PCs need to start; and a fault that repeats on each 2 s tick (a full disk) would
 *    become a restart loop that takes the room down with it.
 *  - An exception thrown out of an event handler leaves the handler's state unknown: that is logged
 *    and the process exits (code 1), and systemd (Restart=on-failure) starts it again clean.
 */
export interface CrashPolicy {
  /** Unhandled rejections seen since start (each was logged). */
  readonly rejections: number;
  remove(): void;
}

type Proc = Pick<NodeJS.Process, "on" | "off" | "exit">;

export function installCrashPolicy(proc: Proc = process, log: (line: string) => void = console.error): CrashPolicy {
  let rejections = 0;
  const onRejection = (reason: unknown) => {
    rejections++;
    const stack = reason instanceof Error && reason.stack ? `\n${reason.stack}` : "";
    log(`cowherd: unhandled promise rejection (#${rejections}; logged, still serving): ${errorText(reason)}${stack}`);
  };
  const onException = (e: Error, origin: string) => {
    log(`cowherd: uncaught exception (${origin}), exiting for systemd to restart the server: ${errorText(e)}${e?.stack ? `\n${e.stack}` : ""}`);
    proc.exit(1);
  };
  proc.on("unhandledRejection", onRejection);
  proc.on("uncaughtException", onException);
  return {
    get rejections() {
      return rejections;
    },
    remove() {
      proc.off("unhandledRejection", onRejection);
      proc.off("uncaughtException", onException);
    },
  };
}
