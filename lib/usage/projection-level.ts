/**
 * How much a PC's projected time to full matters, the same for its event, its card and the grid's
 * "Needs attention" (pure: used on the server and in the browser).
 *  - "danger": close, act now: full within `dangerMinutes` and already past `dangerPercent` used;
 *  - "warn": full within `fullMinutes` at its current rate, but not close yet;
 *  - null: not filling, or not soon.
 */
export type ProjectionLevel = "warn" | "danger" | null;

export interface ProjectionLimits {
  fullMinutes: number;
  dangerMinutes: number;
  dangerPercent: number;
}

/** The limits as configured (config.alerts). */
export const projectionLimits = (alerts: {
  projectedFullMinutes: number;
  projectedDangerMinutes: number;
  projectedDangerPercent: number;
}): ProjectionLimits => ({
  fullMinutes: alerts.projectedFullMinutes,
  dangerMinutes: alerts.projectedDangerMinutes,
  dangerPercent: alerts.projectedDangerPercent,
});

/**
 * `held` stretches the limits by 1.25 for a projection already raised, so a wobbling rate does not
 * flap the event between levels.
 */
export function projectionLevel(
  fullInMs: number | null,
  percent: number | null,
  limits: ProjectionLimits,
  held: { warn?: boolean; danger?: boolean } = {},
): ProjectionLevel {
  if (fullInMs === null || fullInMs < 0) return null;
  const within = (minutes: number, hold: boolean | undefined) => fullInMs <= minutes * 60_000 * (hold ? 1.25 : 1);
  if (within(limits.dangerMinutes, held.danger) && (percent ?? 0) >= limits.dangerPercent) return "danger";
  if (within(limits.fullMinutes, held.warn || held.danger)) return "warn";
  return null;
}
