import type { Runtime } from "../runtime";
import type { RoomPoint, UsagePoint, UsageRepo } from "../db/usage";
import type { EventRow } from "../db/events";
import { CHART_POINTS_DEFAULT, CHART_POINTS_MAX } from "../validations/api";

/** Markers (resets, boots, events) per chart: the newest ones. */
export const CHART_MARKERS_MAX = 500;

/** What a PC's page charts: its usage points, and its resets, boots and events as markers. */
export interface MachineChart {
  from: number;
  to: number;
  points: UsagePoint[];
  resets: { at: number; endedAt: number | null; result: string; source: string; requestedBy: string | null; error: string | null }[];
  boots: { at: number; result: string }[];
  events: EventRow[];
}

const clampPoints = (n: number) => Math.min(CHART_POINTS_MAX, Math.max(2, Math.floor(n)));

export function machineChart(
  rt: Pick<Runtime, "usage" | "history" | "boots" | "events">,
  id: number,
  rangeMs: number,
  now = Date.now(),
  maxPoints = CHART_POINTS_DEFAULT,
): MachineChart {
  const from = now - rangeMs;
  // The line starts at the range's left edge with the value it had then: one point of the budget.
  const before = rt.usage.before(id, from);
  const points = rt.usage.series(id, from, now, clampPoints(maxPoints) - (before ? 1 : 0));
  if (before) points.unshift([from, before[1], before[2], before[3]]);
  return {
    from,
    to: now,
    points,
    resets: rt.history
      .between(id, from, now, CHART_MARKERS_MAX)
      .map((r) => ({ at: r.startedAt, endedAt: r.endedAt, result: r.result, source: r.source, requestedBy: r.requestedBy, error: r.error })),
    boots: rt.boots
      .between(id, from, now)
      .slice(-CHART_MARKERS_MAX)
      .map((b) => ({ at: b.startedAt, result: b.result })),
    events: rt.events.forMachine(id, from, now, CHART_MARKERS_MAX),
  };
}

export interface RoomChart {
  from: number;
  to: number;
  points: RoomPoint[];
}

export function roomChart(usage: UsageRepo, rangeMs: number, now = Date.now(), maxPoints = CHART_POINTS_DEFAULT): RoomChart {
  return { from: now - rangeMs, to: now, points: usage.roomSeries(now - rangeMs, now, clampPoints(maxPoints)) };
}
