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
    const status = { readAt: 5, machines: [{ id: 1, state: "ok" as const, usedSectors: 307200, totalSectors: 409600, online: true, initiators: [], exported: true, suspended: false }] };
    const view = buildMachinesView(
      config,
      [{ name: "local", health: { state: "up", since: 0 }, status, failing: null }],
      new Map([[1, { id: 9, startedAt: 3, result: "failed", failedStep: "dm-load", error: "busy", source: "dashboard" } as never]]),
      new Map([[1, 2]]),
      new Map([[2, { jobId: "j", state: "running" as const, step: "dm-load", startedAt: 4, source: "bulk" as const }]]),
      6,
    );
    expect(view.machines).toHaveLength(14);
    expect(view.readAt).toBe(6);
    expect(view.machines[0]).toMatchObject({ percent: 75, level: "warn", lastResetAt: 2, lastReset: { result: "failed", failedStep: "dm-load" }, host: "local", dataAt: 5 });
    expect(view.machines[1]).toMatchObject({ state: "missing", level: "missing", percent: null, reset: { state: "running", step: "dm-load" } });
  });

  it("a host whose reads fail: its PCs are unknown (not missing), keep their last numbers and say how old they are", () => {
    const config = parseConfig(demoConfig());
    const status = { readAt: 5, machines: [{ id: 1, state: "ok" as const, usedSectors: 1000, totalSectors: 409600, online: true, initiators: [], exported: true, suspended: false }] };
    const failing = { since: 7, message: "storage host local: agent exited" };
    const view = buildMachinesView(config, [{ name: "local", health: { state: "down", since: 7, error: "x" }, status, failing }], new Map(), new Map(), new Map(), 9);
    expect(view.hosts).toEqual([{ name: "local", health: { state: "down", since: 7, error: "x" }, failing, lastReadAt: 5, machines: 14 }]);
    expect(view.machines[0]).toMatchObject({ state: "unknown", level: "unknown", usedSectors: 1000, online: false, dataAt: 5 });
    expect(view.machines[1]).toMatchObject({ state: "unknown", level: "unknown" });
    // Before any good read at all, nothing is claimed missing either.
    const none = buildMachinesView(config, [{ name: "local", health: { state: "connecting", since: 1 }, status: null, failing: null }], new Map(), new Map(), new Map(), 2);
    expect(none.machines.every((m) => m.state === "unknown")).toBe(true);
  });
});
