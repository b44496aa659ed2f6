import { describe, expect, it } from "vitest";
import { buildMachinesView, levelOf } from "@/lib/status/machines-view";
import { parseConfig } from "@/lib/config/load";
import { demoConfig } from "@/lib/config/demo";

const cfg = { warnPercent: 75, dangerPercent: 90 };

describe("grid levels", () => {
  it.each([
    ["ok", 0, "normal"],
    ["ok", 74.9, "normal"],
    ["ok", 75, "warn"],
    ["ok", 89.9, "warn"],
    ["ok", 90, "danger"],
    ["ok", 100, "danger"],
    ["invalid", null, "invalid"],
    ["overflow", null, "overflow"],
    ["missing", null, "missing"],
    ["merge-failed", null, "unknown"],
    ["unknown", null, "unknown"],
  ] as const)("%s at %s %% is %s", (state, pct, level) => {
    expect(levelOf(state, pct, cfg)).toBe(level);
  });

  it("builds one view row per configured PC, missing when the host does not report it, with last reset and progress", () => {
    const config = parseConfig(demoConfig());
    const view = buildMachinesView(
      config,
      { readAt: 5, machines: [{ id: 1, state: "ok", usedSectors: 307200, totalSectors: 409600, online: true, initiators: [], exported: true, suspended: false }] },
      new Map([[1, { id: 9, startedAt: 3, result: "failed", failedStep: "dm-remove", error: "busy", source: "dashboard" } as never]]),
      new Map([[1, 2]]),
      new Map([[2, { step: "dm-create", startedAt: 4, historyId: 10, source: "bulk" as const }]]),
    );
    expect(view.machines).toHaveLength(14);
    expect(view.machines[0]).toMatchObject({ percent: 75, level: "warn", lastResetAt: 2, lastReset: { result: "failed", failedStep: "dm-remove" } });
    expect(view.machines[1]).toMatchObject({ state: "missing", level: "missing", percent: null, reset: { step: "dm-create" } });
  });
});
