/**
 * Faults at the simulated kernel's edge. Every operation a helper process makes is described by
 * one line, the way tests and COWHERD_SIM_FAIL name it:
 *   commands:       the argv joined by spaces ("/usr/sbin/dmsetup create retrocow1 --table ...")
 *   dm worker:      "worker <wipe|load|resume|clear> <name>[ <table or sectors>]", "worker lock <path>"
 *   filesystem:     "zero-header <path>", "shrink <path> <bytes>", "truncate <path> <bytes>",
 *                   "create <path>", "write <path>", "remove <path>", "rename <from> <to>",
 *                   "chmod <mode> <path>", "fsync <path>", "copy <src> <dst>", "reflink <src> <dst>"
 * A fault rule answers an error text for the operations it fails (null: let it through); the
 * operation then fails like the real one would and changes nothing.
 */
export type FaultRule = (op: string) => string | null;

/** From the first operation `match` accepts, the process is dead (see SimKernel.killWhen). */
export interface KillRule {
  match: (op: string) => boolean;
  /** Only this process (absent: whichever process makes the operation). */
  pid?: number;
}

export function firstFault(rules: readonly FaultRule[], op: string): string | null {
  for (const f of rules) {
    const msg = f(op);
    if (msg) return msg;
  }
  return null;
}

/** The error every operation of a killed process gets (it would never have run). */
export class KilledError extends Error {
  constructor(pid: number, op: string) {
    super(`process ${pid} was killed (before: ${op})`);
  }
}
