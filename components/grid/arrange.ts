import type { MachineView } from "@/lib/status/machines-view";
import { isProblem } from "./levels";

export const FILTERS = {
  all: "All PCs",
  attention: "Needs attention",
  filling: "Full soon",
  online: "Online",
  offline: "Offline",
  kept: "Kept",
} as const;
export type GridFilter = keyof typeof FILTERS;

export const SORTS = {
  name: "Name",
  usage: "Usage (fullest first)",
  full: "Time to full (soonest first)",
  rate: "Fill rate (fastest first)",
} as const;
export type GridSort = keyof typeof SORTS;

export interface Arrangement {
  filter: GridFilter;
  /** A PC group's name, or "" for every group. */
  group?: string;
  sort: GridSort;
  /** Part of a name or IP address. */
  query: string;
}

/** Full within the configured projection limit (or full now). */
export const fillsSoon = (m: MachineView, minutes: number) => m.growth.fullInMs !== null && m.growth.fullInMs <= minutes * 60_000;

/**
 * Someone must act on it now: it is broken or dead, almost full, close to full at its rate, auto-extend
 * cannot grow it, or its last reset failed. Past the warning level, or projected full in an hour while
 * still mostly empty, is to watch, not to act on.
 */
export function needsAttention(m: MachineView): boolean {
  return isProblem(m.condition) || m.condition === "danger" || m.growth.level === "danger" || !!m.growth.blocked || m.lastReset?.result === "failed";
}

function keep(m: MachineView, f: GridFilter, minutes: number): boolean {
  switch (f) {
    case "all":
      return true;
    case "attention":
      return needsAttention(m);
    case "filling":
      return fillsSoon(m, minutes);
    case "online":
      return m.condition !== "unreachable" && m.boot.state !== "off";
    case "offline":
      return m.condition === "unreachable" || m.boot.state === "off";
    case "kept":
      return m.kept !== null;
  }
}

/** Dead and broken PCs first when sorting by urgency: they are past full. */
const urgency = (m: MachineView) =>
  isProblem(m.condition) && m.condition !== "unknown" && m.condition !== "missing" ? -1 : (m.growth.fullInMs ?? Number.POSITIVE_INFINITY);

/** The grid's PCs filtered and sorted as asked; ties keep the configured order. */
export function arrange(machines: readonly MachineView[], a: Arrangement, projectedFullMinutes: number): MachineView[] {
  const q = a.query.trim().toLowerCase();
  const shown = machines.filter(
    (m) => keep(m, a.filter, projectedFullMinutes) && (!a.group || m.group === a.group) && (!q || m.name.toLowerCase().includes(q) || m.ip.includes(q)),
  );
  const by: Record<GridSort, (m: MachineView) => number> = {
    name: () => 0,
    usage: (m) => -(m.percent ?? (m.condition === "invalid" || m.condition === "overflow" ? 101 : -1)),
    full: urgency,
    rate: (m) => -(m.growth.mibPerMin ?? -1),
  };
  const key = by[a.sort];
  return shown
    .map((m, i) => ({ m, i, k: key(m) }))
    .sort((x, y) => x.k - y.k || x.i - y.i)
    .map((x) => x.m);
}
