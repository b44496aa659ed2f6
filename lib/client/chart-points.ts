import { CHART_POINTS_MAX } from "../validations/api";

/** Widths are asked for in steps of this many pixels: a window resized by a few pixels asks nothing new. */
export const CHART_WIDTH_STEP = 50;

/**
 * How many points a chart this many CSS pixels wide asks for: one a pixel, rounded up to the next
 * step, within what the API takes (2 to CHART_POINTS_MAX). Stateless.
 */
export function chartPoints(widthPx: number): number {
  const stepped = Math.ceil(Math.max(1, widthPx) / CHART_WIDTH_STEP) * CHART_WIDTH_STEP;
  return Math.min(CHART_POINTS_MAX, Math.max(2, stepped));
}
