import type { Runtime } from "../runtime";
import type { RoomPoint, UsagePoint } from "../db/usage";
import type { EventRow } from "../db/events";

/** What a PC's page charts: its usage points, and its resets, boots and events as markers. */
export interface MachineChart {
  from: number;
  to: number;
  points: UsagePoint[];
  resets: { at: number; endedAt: number | null; result: string; source: string; requestedBy: string | null; error: string | null }[];
  boots: { at: number; result: string }[];
  events: EventRow[];
}

export function machineChart(rt: Runtime, id: number, rangeMs: number, now = Date.now()): MachineChart {
  const from = now - rangeMs;
  const points = rt.usage.series(id, from, now);
  // The line starts at the range's left edge with the value it had then.
  const before = rt.usage.before(id, from);
  if (before) points.unshift([from, before[1], before[2], before[3]]);
  return {
    from,
    to: now,
    points,
    resets: rt.history.between(id, from, now).map((r) => ({ at: r.startedAt, endedAt: r.endedAt, result: r.result, source: r.source, requestedBy: r.requestedBy, error: r.error })),
    boots: rt.boots.between(id, from, now).map((b) => ({ at: b.startedAt, result: b.result })),
    events: rt.events.forMachine(id, from, now),
  };
}

export interface RoomChart {
  from: number;
  to: number;
  points: RoomPoint[];
}

export function roomChart(rt: Runtime, rangeMs: number, now = Date.now()): RoomChart {
  return { from: now - rangeMs, to: now, points: rt.usage.roomSeries(now - rangeMs, now) };
}
