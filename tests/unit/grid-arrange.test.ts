import { describe, expect, it } from "vitest";
import { arrange } from "@/components/grid/arrange";
import { roomView } from "../helpers/room-view";
import { parseConfig } from "@/lib/config/load";
import { demoConfig } from "@/lib/config/demo";

const config = parseConfig(demoConfig({ COWHERD_SIM_PCS: "250" }));
const MIB = 2048;
/** A room of 250: usage rising with the id, PC 7 dead, every third off, rates and projections known for some. */
const view = roomView(
  config,
  (m) => ({
    state: m.id === 7 ? "invalid" : "ok",
    ...(m.id === 7 ? { usedSectors: undefined, totalSectors: undefined } : { usedSectors: Math.round((m.id / 250) * 190 * MIB) }),
    online: m.id % 3 !== 0,
  }),
  { state: (id) => ({ state: id % 3 !== 0 ? "online" : "off", since: 0, bootId: null }), lastBoots: new Map(), pending: new Map() },
  { projection: (id) => (id % 10 === 0 ? { mibPerMin: id / 10, fullInMs: (250 - id) * 60_000, ceilingSectors: 200 * MIB } : null), blocked: () => null },
);
const names = (ms: { name: string }[]) => ms.map((m) => m.name);

describe("the grid's filter and sort for a big room", () => {
  it("all by name keeps the configured order", () => {
    expect(names(arrange(view.machines, { filter: "all", sort: "name", query: "" }, 60))).toEqual(config.machines.map((m) => m.name));
  });
  it("usage: fullest first, a dead snapshot above them all", () => {
    const r = arrange(view.machines, { filter: "all", sort: "usage", query: "" }, 60);
    expect(names(r.slice(0, 3))).toEqual(["retro-007", "retro-250", "retro-249"]);
  });
  it("time to full: dead first, then soonest; unknown projections last", () => {
    const r = arrange(view.machines, { filter: "all", sort: "full", query: "" }, 60);
    expect(names(r.slice(0, 4))).toEqual(["retro-007", "retro-250", "retro-240", "retro-230"]);
    expect(r.at(-1)!.growth.fullInMs).toBeNull();
  });
  it("rate: fastest first", () => {
    expect(names(arrange(view.machines, { filter: "all", sort: "rate", query: "" }, 60).slice(0, 2))).toEqual(["retro-250", "retro-240"]);
  });
  it("filters: full soon (within the projection limit), needs attention, online, offline", () => {
    expect(names(arrange(view.machines, { filter: "filling", sort: "full", query: "" }, 60))).toEqual([
      "retro-250",
      "retro-240",
      "retro-230",
      "retro-220",
      "retro-210",
      "retro-200",
      "retro-190",
    ]);
    const attention = arrange(view.machines, { filter: "attention", sort: "name", query: "" }, 60);
    expect(attention.every((m) => m.condition !== "normal" || (m.growth.fullInMs ?? Infinity) <= 3_600_000)).toBe(true);
    expect(attention.some((m) => m.name === "retro-007")).toBe(true);
    expect(arrange(view.machines, { filter: "offline", sort: "name", query: "" }, 60)).toHaveLength(83);
    expect(arrange(view.machines, { filter: "online", sort: "name", query: "" }, 60)).toHaveLength(167);
  });
  it("filter: the kept PCs (an admin's keep mark), in a room of 250", () => {
    const kept = view.machines.map((m) => (m.id === 12 || m.id === 200 ? { ...m, kept: { keptBy: "admin", keptAt: 1, reason: null } } : m));
    expect(names(arrange(kept, { filter: "kept", sort: "name", query: "" }, 60))).toEqual(["retro-012", "retro-200"]);
    expect(arrange(view.machines, { filter: "kept", sort: "name", query: "" }, 60)).toEqual([]);
  });
  it("filter: one PC group (config groups), with the other filters and the search", () => {
    const grouped = parseConfig({
      ...demoConfig(),
      groups: [{ name: "retro" }, { name: "newer", master: "/store/win7.img" }],
      machines: demoConfig().machines.map((m) => ({ ...m, group: m.id > 10 ? "newer" : "retro" })),
    });
    const v = roomView(grouped, () => ({ state: "ok", usedSectors: 0, online: false }));
    expect(v.groups).toEqual([
      { name: "retro", label: "retro" },
      { name: "newer", label: "newer" },
    ]);
    expect(names(arrange(v.machines, { filter: "all", group: "newer", sort: "name", query: "" }, 60))).toEqual([
      "retro-11",
      "retro-12",
      "retro-13",
      "retro-14",
    ]);
    expect(names(arrange(v.machines, { filter: "all", group: "newer", sort: "name", query: "retro-1" }, 60))).toHaveLength(4);
    expect(arrange(v.machines, { filter: "all", group: "", sort: "name", query: "" }, 60)).toHaveLength(14);
  });
  it("search by name or address", () => {
    expect(names(arrange(view.machines, { filter: "all", sort: "name", query: "retro-24" }, 60))).toHaveLength(10);
    expect(names(arrange(view.machines, { filter: "all", sort: "name", query: "127.0.1.99" }, 60))).toEqual(["retro-099"]);
  });
});
