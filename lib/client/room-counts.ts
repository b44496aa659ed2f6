import type { Condition, MachineView } from "../status/machines-view";

/** PCs a first paint (and its loading skeleton) shows in full: a screenful or two, whatever the room's size. */
export const FIRST_PAINT_PCS = 40;

/** The summary bar's numbers: how many PCs, how many online, how many in each condition. */
export interface RoomCounts {
  pcs: number;
  online: number;
  conditions: Partial<Record<Condition, number>>;
}

export function roomCounts(machines: readonly Pick<MachineView, "online" | "condition">[]): RoomCounts {
  const conditions: Partial<Record<Condition, number>> = {};
  for (const m of machines) conditions[m.condition] = (conditions[m.condition] ?? 0) + 1;
  return { pcs: machines.length, online: machines.filter((m) => m.online).length, conditions };
}
