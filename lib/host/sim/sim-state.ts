import { readFileSync } from "node:fs";
import type { Machine } from "../../config/schema";
import { pcIdentity, writeJsonAtomic } from "../../config/room-identity";
import type { KernelJson } from "./kernel/kernel";

/** A simulated storage host's state file: its kernel, and the PCs (as configured then) it serves. */
export interface RoomFile {
  version: 2;
  pcs: Machine[];
  kernel: KernelJson;
  /** PCs that do not answer Wake-on-LAN (COWHERD_SIM_INIT's wol:false): a restart keeps them deaf. */
  noWol?: number[];
}

/** The room as it was, or null: no file, or one from before the simulated kernel (a fresh room then). */
export function readRoomFile(file: string): RoomFile | null {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as RoomFile;
    return parsed && parsed.version === 2 && Array.isArray(parsed.pcs) && parsed.kernel ? parsed : null;
  } catch {
    return null;
  }
}

export const writeRoomFile = (file: string, room: RoomFile): void => writeJsonAtomic(file, room);

/**
 * The stored PCs that are the same PC as a configured one (same name and address) on the same disk
 * (its snapshot's device and COW, the COW's size, and `sameMaster`: its group's master) are kept;
 * the rest are dropped: a PC that took another's id (a room made bigger, renumbered) starts afresh
 * instead of inheriting its Invalid snapshot, and one moved to another group boots that group's
 * master.
 */
export function adoptPcs(
  stored: readonly Machine[],
  pcs: readonly Machine[],
  sameMaster: (was: Machine, now: Machine) => boolean = () => true,
): { kept: Machine[]; dropped: { was: Machine; now: Machine | null }[] } {
  const configured = new Map(pcs.map((m) => [m.id, m]));
  const kept: Machine[] = [];
  const dropped: { was: Machine; now: Machine | null }[] = [];
  for (const s of stored) {
    const now = configured.get(s.id) ?? null;
    const sameDisk = now && now.dmName === s.dmName && now.cowPath === s.cowPath && now.cowSizeMiB === s.cowSizeMiB && sameMaster(s, now);
    if (now && pcIdentity(now) === pcIdentity(s) && sameDisk) kept.push(now);
    else dropped.push({ was: s, now });
  }
  return { kept, dropped };
}
