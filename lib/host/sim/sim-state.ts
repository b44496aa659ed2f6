import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface SimMachineState {
  /** Whose state this is ("retro-05 127.0.0.45"): a PC with another name or address does not inherit it. */
  pc?: string;
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
export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
}

export const writeSimState = (file: string, state: SimState): void => writeJsonAtomic(file, state);

/** A PC's identity: its name and address (its id is only a number in the config, reused by another room). */
export const pcIdentity = (m: { name: string; ip: string }) => `${m.name} ${m.ip}`;

/**
 * Keeps the stored state of each configured PC that is the same PC as before (same name and
 * address) and drops the rest: a PC that took another's id (a room made bigger, renumbered) starts
 * afresh instead of inheriting its Invalid snapshot. State files from before identities were stored
 * are kept only when they hold exactly the configured ids (the same room). Says what it did.
 */
export function adoptState(machines: Record<string, SimMachineState>, pcs: readonly { id: number; name: string; ip: string }[]): { kept: string[]; dropped: string[] } {
  const configured = new Map(pcs.map((m) => [String(m.id), m]));
  const stored = Object.keys(machines);
  const sameIds = stored.length === configured.size && stored.every((id) => configured.has(id));
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const id of stored) {
    const s = machines[id]!;
    const m = configured.get(id);
    const now = m ? pcIdentity(m) : null;
    if (now && (s.pc === now || (s.pc === undefined && sameIds))) {
      s.pc = now;
      kept.push(m!.name);
    } else {
      dropped.push(`${s.pc ?? `PC ${id}`}${now ? ` (id ${id} is now ${now})` : " (no longer configured)"}`);
      delete machines[id];
    }
  }
  return { kept, dropped };
}
