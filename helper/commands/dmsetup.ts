import { BIN, type Command } from "../../lib/host/command";
import { TIMEOUT } from "./command";

const cmd = (...args: string[]): Command => ({ file: BIN.dmsetup, args, timeoutMs: TIMEOUT.quick });

export function snapshotTable(originSectors: number, origin: string, cow: string, mode: "P" | "PO", chunkSectors: number): string {
  return `0 ${originSectors} snapshot ${origin} ${cow} ${mode} ${chunkSectors}`;
}

export const dmsetup = {
  statusAll: () => cmd("status"),
  /** Every device's live table, "name: 0 <len> <target> <params>" (devices as major:minor). */
  tableAll: () => cmd("table"),
  /** name:attr:open for every device; attr is (L)ive, (I)nactive, (s)uspended, (r)ead-only / (w)rite. */
  infoAll: () => cmd("info", "-c", "--noheadings", "--separator", ":", "-o", "name,attr,open"),
  create: (name: string, table: string) => cmd("create", name, "--table", table),
  remove: (name: string) => cmd("remove", name),
  resume: (name: string) => cmd("resume", name),
  mknodes: (name: string) => cmd("mknodes", name),
  /** A device whose table could not be loaded (a kill mid-create leaves one): gone with its name. */
  clear: (name: string) => cmd("clear", name),
};

export interface DmInfo {
  /** A live table is loaded (false: a device left behind with no table at all). */
  live: boolean;
  /** A table waits in the inactive slot (loaded, never resumed). */
  inactive: boolean;
  suspended: boolean;
  open: number;
}

export function parseDmInfo(output: string): Map<string, DmInfo> {
  const out = new Map<string, DmInfo>();
  if (/^No devices found/m.test(output)) return out;
  for (const line of output.split("\n")) {
    const parts = line.trim().split(":");
    if (parts.length < 3) continue;
    const open = Number(parts.pop());
    const attr = parts.pop() ?? "";
    out.set(parts.join(":"), { live: attr[0] === "L", inactive: attr[1] === "I", suspended: attr[2] === "s", open: Number.isFinite(open) ? open : 0 });
  }
  return out;
}
