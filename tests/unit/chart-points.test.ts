import { describe, expect, it } from "vitest";
import { chartPoints, CHART_WIDTH_STEP } from "@/lib/client/chart-points";
import { CHART_POINTS_DEFAULT, CHART_POINTS_MAX, rangeQuery } from "@/lib/validations/api";

describe("chartPoints", () => {
  it("asks for the drawn width, rounded up to a step, within what the API takes", () => {
    expect(chartPoints(280)).toBe(300);
    expect(chartPoints(300)).toBe(300);
    expect(chartPoints(301)).toBe(350);
    expect(chartPoints(0)).toBe(CHART_WIDTH_STEP);
    expect(chartPoints(5000)).toBe(CHART_POINTS_MAX);
    // A phone's chart asks for fewer points than the API's default, a wide one for more.
    expect(chartPoints(342)).toBeLessThan(CHART_POINTS_DEFAULT);
    expect(chartPoints(900)).toBeGreaterThan(CHART_POINTS_DEFAULT);
  });

  it("every answer is a points value the API accepts", () => {
    for (const w of [0, 1, 49, 50, 333, 999, 1000, 1001, 4000]) {
      expect(rangeQuery.safeParse({ range: "6h", points: String(chartPoints(w)) }).success).toBe(true);
    }
  });
});
