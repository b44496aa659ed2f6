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
    const status = {
      readAt: 5,
      machines: [{ id: 1, state: "ok" as const, usedSectors: 307200, totalSectors: 409600, online: true, initiators: [], exported: true, suspended: false }],
    };
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
    expect(view.machines[0]).toMatchObject({
      percent: 75,
      level: "warn",
      lastResetAt: 2,
      lastReset: { result: "failed", failedStep: "dm-load" },
      host: "local",
      dataAt: 5,
    });
    expect(view.machines[1]).toMatchObject({ state: "missing", level: "missing", percent: null, reset: { state: "running", step: "dm-load" } });
  });

  it("a host whose reads fail: its PCs are unknown (not missing), keep their last numbers and say how old they are", () => {
    const config = parseConfig(demoConfig());
    const status = {
      readAt: 5,
      machines: [{ id: 1, state: "ok" as const, usedSectors: 1000, totalSectors: 409600, online: true, initiators: [], exported: true, suspended: false }],
    };
    const failing = { since: 7, message: "storage host local: agent exited" };
    const view = buildMachinesView(
      config,
      [{ name: "local", health: { state: "down", since: 7, error: "x" }, status, failing }],
      new Map(),
      new Map(),
      new Map(),
      9,
    );
    expect(view.hosts).toEqual([
      { name: "local", health: { state: "down", since: 7, error: "x" }, failing, problem: null, lastReadAt: 5, machines: 14, stores: [] },
    ]);
    expect(view.machines[0]).toMatchObject({ state: "unknown", level: "unknown", usedSectors: 1000, online: false, dataAt: 5 });
    expect(view.machines[1]).toMatchObject({ state: "unknown", level: "unknown" });
    // Before any good read at all, nothing is claimed missing either.
    const none = buildMachinesView(
      config,
      [{ name: "local", health: { state: "connecting", since: 1 }, status: null, failing: null }],
      new Map(),
      new Map(),
      new Map(),
      2,
    );
    expect(none.machines.every((m) => m.state === "unknown")).toBe(true);
  });
});

describe("conditions: broken PCs never look healthy", () => {
  const config = parseConfig(demoConfig());
  const pc = (id: number, patch: Record<string, unknown> = {}) => ({
    id,
    state: "ok" as const,
    usedSectors: 1000,
    totalSectors: 409600,
    online: true,
    initiators: [],
    exported: true,
    suspended: false,
    ...patch,
  });
  const view = (machines: ReturnType<typeof pc>[], failing: { since: number; message: string } | null = null) =>
    buildMachinesView(
      config,
      [{ name: "local", health: { state: "up", since: 0 }, status: { readAt: 1, machines }, failing }],
      new Map(),
      new Map(),
      new Map(),
      2,
    );

  it("gives suspended, unexported, no-snapshot, missing and usage levels each their own condition", () => {
    const v = view([
      pc(1),
      pc(2, { suspended: true }),
      pc(3, { exported: false }),
      pc(4, { state: "unknown", usedSectors: undefined, totalSectors: undefined }),
      pc(5, { usedSectors: 400000 }),
      pc(6, { state: "invalid", exported: false }),
    ]);
    expect(v.machines.slice(0, 7).map((m) => m.condition)).toEqual(["normal", "suspended", "unexported", "no-snapshot", "danger", "invalid", "missing"]);
    // The level still says what the numbers say.
    expect(v.machines[1]).toMatchObject({ level: "normal", condition: "suspended" });
  });

  it("a fault the host names in words is a storage fault (unless a worse condition already shows)", () => {
    const fault = "COW file /srv/cow/pc2.cow of retro-02 was deleted or replaced while in use";
    const v = view([pc(1, { problem: fault }), pc(2, { state: "unknown", usedSectors: undefined, problem: "an error table is live" })]);
    expect(v.machines[0]).toMatchObject({ condition: "storage-fault", problem: fault });
    expect(v.machines[1]).toMatchObject({ condition: "no-snapshot", problem: "an error table is live" });
  });

  it("a fault every PC of a host reports alike is said once, on the host; a PC's own fault stays on the PC", () => {
    const down = "the iSCSI target does not answer (tgtadm: Transport endpoint is not connected): no PC can reach its disk or boot";
    const all = view(Array.from({ length: 14 }, (_, i) => pc(i + 1, { exported: false, problem: down })));
    expect(all.hosts[0]!.problem).toBe(down);
    expect(all.machines.every((m) => m.problemIsHost && m.condition === "storage-fault" && m.problem === down)).toBe(true);
    const one = view([pc(1, { problem: down }), pc(2)]);
    expect(one.hosts[0]!.problem).toBeNull();
    expect(one.machines[0]).toMatchObject({ problem: down, problemIsHost: false });
  });

  it("a PC whose host does not answer is unreachable, whatever its last numbers said", () => {
    const v = view([pc(1), pc(2, { suspended: true })], { since: 1, message: "down" });
    expect(v.machines.every((m) => m.condition === "unreachable")).toBe(true);
  });

  it("before a host's first read nothing is claimed broken: unknown, not no-snapshot", () => {
    const v = buildMachinesView(
      config,
      [{ name: "local", health: { state: "connecting", since: 1 }, status: null, failing: null }],
      new Map(),
      new Map(),
      new Map(),
      2,
    );
    expect(new Set(v.machines.map((m) => m.condition))).toEqual(new Set(["unknown"]));
  });
});
