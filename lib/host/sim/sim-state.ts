import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface SimMachineState {
  /** Device-mapper device exists. */
  device: boolean;
  /**
   * What the device maps now: the PC's snapshot, or an error table (mid-reset: the snapshot is gone,
   * the COW released, I/O fails). `loaded` is a table waiting in the inactive slot for a resume.
   */
  table?: "snapshot" | "error";
  loaded?: "snapshot" | null;
  suspended: boolean;
  exported: boolean;
  /** COW header magic present: a re-created snapshot keeps its exceptions. */
  header: boolean;
  exceptions: number;
  /** The kernel's verdict once the COW filled up ("ok" otherwise). */
  health: "ok" | "invalid" | "overflow";
  /** Its iSCSI session is open (the PC runs). */
  online: boolean;
  /** Fractional chunk accumulator so slow writers still progress. */
  pendingChunks: number;
  /** The COW's size when grown online (absent: the configured size). */
  cowSizeMiB?: number;
  /** Its network card answers Wake-on-LAN (absent: yes). */
  wol?: boolean;
  /** The master image version its COW sits on (absent: v1). */
  version?: number;
}

/** The simulated host's image versions (absent from state files that predate them: v1 only). */
export interface SimImages {
  versions: { n: number; sizeBytes: number; createdAt: number }[];
  current: number;
  next: number;
  draft: { n: number; machine: number; state: "copying" | "ready"; startedAt: number; copiedBytes: number; method: "reflink" | "copy" | null; online: boolean } | null;
}

export interface SimState {
  version: 1;
  advancedAt: number;
  machines: Record<string, SimMachineState>;
  images?: SimImages;
}

export function readSimState(file: string): SimState | null {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as SimState;
    return parsed && parsed.version === 1 && typeof parsed.machines === "object" ? parsed : null;
  } catch {
    return null;
  }
}

/** Atomic replace so a crash mid-write never leaves a torn state file. */
export function writeSimState(file: string, state: SimState): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}
