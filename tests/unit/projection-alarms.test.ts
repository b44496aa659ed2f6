import { describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { createElement } from "react";
import { roomConditions } from "@/lib/events/conditions";
import { parseConfig } from "@/lib/config/load";
import { demoConfig } from "@/lib/config/demo";
import { buildMachinesView } from "@/lib/status/machines-view";
import { projectionLevel } from "@/lib/usage/projection-level";
import { arrange, needsAttention } from "@/components/grid/arrange";
import { badgeProjection, GrowthLine, StateBadge } from "@/components/grid/machine-parts";
import type { HostReading } from "@/lib/status/room";
import type { UsageProjection } from "@/lib/usage/sampler";

const MIB = 2048;
const NOW = 10_000_000;
const config = parseConfig(demoConfig({ COWHERD_SIM_PCS: "250" }));

/** Every PC at `used(id)` MiB of 200, each projected full in `full(id)` minutes (null: not filling). */
function room(used: (id: number) => number, full: (id: number) => number | null) {
  const readings: HostReading[] = [
    {
      name: "local",
      health: { state: "up", since: 0 },
      failing: null,
      status: {
        readAt: NOW,
        machines: config.machines.map((m) => ({
          id: m.id,
          state: "ok" as const,
          usedSectors: used(m.id) * MIB,
          totalSectors: 200 * MIB,
          online: true,
          initiators: [],
          exported: true,
          suspended: false,
        })),
      },
    },
  ];
  const projection = (id: number): UsageProjection => {
    const f = full(id);
    return {
      mibPerMin: f === null ? 0 : (200 - used(id)) / Math.max(f, 1),
      fullInMs: f === null ? null : f * 60_000,
      ceilingSectors: 200 * MIB,
      lastMibPerMin: null,
    };
  };
  const view = buildMachinesView(config, readings, new Map(), new Map(), new Map(), NOW, undefined, { projection, blocked: () => null });
  return { view, projection };
}

function conditionsOf(r: ReturnType<typeof room>, open: string[] = []) {
  return roomConditions({ config, view: r.view, projection: r.projection, stores: new Map(), isOpen: (k) => open.includes(k), now: NOW }).active.filter(
    (c) => c.kind === "projected-full",
  );
}

describe("a projection is a warning until the PC is close", () => {
  it("levels: full within the limit is warn; within projectedDangerMinutes and past projectedDangerPercent is danger", () => {
    const limits = { fullMinutes: 60, dangerMinutes: 15, dangerPercent: 50 };
    expect(projectionLevel(50 * 60_000, 1.5, limits)).toBe("warn"); // 3 MiB of 200, fast for a minute
    expect(projectionLevel(10 * 60_000, 1.5, limits)).toBe("warn"); // close in time but nearly empty
    expect(projectionLevel(40 * 60_000, 80, limits)).toBe("warn"); // well used but not soon
    expect(projectionLevel(10 * 60_000, 60, limits)).toBe("danger");
    expect(projectionLevel(0, 99, limits)).toBe("danger"); // full now
    expect(projectionLevel(90 * 60_000, 60, limits)).toBeNull();
    expect(projectionLevel(null, 99, limits)).toBeNull();
    // held once raised: up to 1.25 × each limit
    expect(projectionLevel(70 * 60_000, 10, limits, { warn: true })).toBe("warn");
    expect(projectionLevel(17 * 60_000, 60, limits, { danger: true })).toBe("danger");
    expect(projectionLevel(17 * 60_000, 60, limits)).toBe("warn");
  });

  it("events: a nearly empty PC filling fast raises a warning, a close one raises danger (its own key, so the step up notifies)", () => {
    const r = room(
      (id) => (id === 1 ? 3 : id === 2 ? 150 : 10),
      (id) => (id === 1 ? 50 : id === 2 ? 8 : null),
    );
    const c = conditionsOf(r);
    expect(c.map((x) => [x.machineId, x.key, x.severity])).toEqual([
      [1, "projected-full:pc:1", "warn"],
      [2, "projected-full:pc:2:close", "danger"],
    ]);
    // Once close is open it holds to 1.25 × projectedDangerMinutes (no flapping back to warn).
    const held = room(
      (id) => (id === 2 ? 150 : 10),
      (id) => (id === 2 ? 17 : null),
    );
    expect(conditionsOf(held, ["projected-full:pc:2:close"]).map((x) => x.key)).toEqual(["projected-full:pc:2:close"]);
    expect(conditionsOf(held).map((x) => x.key)).toEqual(["projected-full:pc:2"]);
  });

  it("the card's badge and its growth line agree: an OK PC projected full soon says so in both, in the same colour", () => {
    const r = room(
      (id) => (id === 1 ? 3 : 150),
      (id) => (id === 1 ? 50 : id === 2 ? 8 : null),
    );
    const [a, b, c] = r.view.machines;
    expect([a!.growth.level, badgeProjection(a!)]).toEqual(["warn", "warn"]);
    expect([b!.growth.level, badgeProjection(b!)]).toEqual(["danger", "danger"]);
    expect([c!.condition, c!.growth.level, badgeProjection(c!)]).toEqual(["warn", null, null]);
    const html = (m: typeof a) =>
      renderToStaticMarkup(
        createElement("div", null, createElement(StateBadge, { m: m!, warnPercent: 75, dangerPercent: 90 }), createElement(GrowthLine, { m: m! })),
      );
    expect(html(a)).toMatch(/data-projection="warn"[^>]*>Full in 50 min<.*data-soon="warn"[^>]*text-amber-800/);
    expect(html(b)).toMatch(/data-projection="danger"[^>]*>Full in 8 min<.*data-soon="danger"[^>]*text-red-700/);
    expect(html(c)).not.toMatch(/data-soon|data-projection/);
  });

  it("with 250 PCs mostly projected full within the hour but nearly empty, Needs attention lists only the ones to act on now", () => {
    // Every PC fills "within the hour" from 3 MiB; PC 9 is close, PC 10 is past the danger level, PC 11 past the warning level.
    const r = room(
      (id) => (id === 9 ? 160 : id === 10 ? 185 : id === 11 ? 155 : 3),
      (id) => (id === 9 ? 6 : id === 11 ? null : 45),
    );
    const attention = arrange(r.view.machines, { filter: "attention", sort: "name", query: "" }, 60);
    expect(attention.map((m) => m.name)).toEqual(["retro-009", "retro-010"]);
    expect(arrange(r.view.machines, { filter: "filling", sort: "name", query: "" }, 60)).toHaveLength(249);
    expect(needsAttention(r.view.machines[10]!)).toBe(false);
  });

  it("config: the danger limit cannot be longer than the warning's", () => {
    expect(() => parseConfig({ ...demoConfig(), alerts: { projectedFullMinutes: 30, projectedDangerMinutes: 45 } })).toThrow(/projectedDangerMinutes/);
    expect(parseConfig(demoConfig()).alerts).toMatchObject({ projectedFullMinutes: 60, projectedDangerMinutes: 15, projectedDangerPercent: 50 });
  });
});
