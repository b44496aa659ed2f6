import type { MachineHostStatus } from "../host/types";

/** Bodies exactly as the 2010 CGI printed them (Python's print adds the newline). */
export const LEGACY = {
  notMachine: "ERR Not a RetroLAN Machine\n",
  noNumbers: "ERR Problem getting parsing information\n",
  ok: (used: number, total: number) => `OK ${used} ${total}\n`,
  contentType: "text/plain",
} as const;

export function legacyStatusBody(status: MachineHostStatus | undefined): string {
  if (status?.state !== "ok" || status.usedSectors === undefined || status.totalSectors === undefined) return LEGACY.noNumbers;
  return LEGACY.ok(status.usedSectors, status.totalSectors);
}
