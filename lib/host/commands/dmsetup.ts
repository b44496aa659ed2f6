import { BIN, TIMEOUT, type Command } from "./command";

const cmd = (...args: string[]): Command => ({ file: BIN.dmsetup, args, timeoutMs: TIMEOUT.quick });

export function snapshotTable(originSectors: number, origin: string, cow: string, mode: "P" | "PO", chunkSectors: number): string {
  return `0 ${originSectors} snapshot ${origin} ${cow} ${mode} ${chunkSectors}`;
}

export const dmsetup = {
  statusAll: () => cmd("status"),
  /** name:suspended:open for every device; suspended reads "Suspended" or "Active". */
  infoAll: () => cmd("info", "-c", "--noheadings", "--separator", ":", "-o", "name,suspended,open"),
  create: (name: string, table: string) => cmd("create", name, "--table", table),
  remove: (name: string) => cmd("remove", name),
  removeMany: (names: string[]) => cmd("remove", ...names),
  /** Several devices in one call: "name,uuid,minor,flags,table;…" (dmsetup ≥ 1.02.147). */
  createMany: (devices: { name: string; table: string }[]) => cmd("create", "--concise", devices.map((d) => `${d.name},,,rw,${d.table}`).join(";")),
  resume: (name: string) => cmd("resume", name),
};

export interface DmInfo {
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
    const suspended = parts.pop();
    out.set(parts.join(":"), { suspended: suspended === "Suspended", open: Number.isFinite(open) ? open : 0 });
  }
  return out;
}
