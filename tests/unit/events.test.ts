import { describe, expect, it, vi } from "vitest";
import { roomConditions, clock } from "@/lib/events/conditions";
import { EventLog, conditionKey } from "@/lib/events/event-log";
import { EventRepo } from "@/lib/db/events";
import { openDatabase } from "@/lib/db/open";
import { parseConfig } from "@/lib/config/load";
import { demoConfig } from "@/lib/config/demo";
import { buildMachinesView } from "@/lib/status/machines-view";
import type { HostReading } from "@/lib/status/room";
import type { MachineHostStatus, StoreSpace } from "@/lib/host/types";
import type { UsageProjection } from "@/lib/usage/sampler";

const MIB = 2048;
const base = demoConfig();
const config = parseConfig({
  ...base,
  machines: base.machines.map((m) => (m.id === 2 ? { ...m, warnPercent: 50, dangerPercent: 60 } : m)),
  alerts: { projectedFullMinutes: 30, perMinute: 12, keepDays: 90 },
  autoextend: { threshold: 80, percent: 20 },
});
const NOW = new Date(2026, 10, 26, 21, 14, 0).getTime();

function viewOf(pcs: Record<number, Partial<MachineHostStatus>>, failing = false) {
  const status = {
    readAt: NOW,
    machines: config.machines.map((m) => ({
      id: m.id,
      state: "ok" as const,
      usedSectors: 16,
      totalSectors: 200 * MIB,
      online: true,
      initiators: [],
      exported: true,
      suspended: false,
      ...pcs[m.id],
    })),
  };
  const readings: HostReading[] = [
    { name: "local", health: { state: "up", since: 0 }, status, failing: failing ? { since: NOW - 60_000, message: "agent exited" } : null },
  ];
  return buildMachinesView(config, readings, new Map(), new Map(), new Map(), NOW);
}

function conditions(
  pcs: Record<number, Partial<MachineHostStatus>>,
  opts: { projections?: Record<number, Partial<UsageProjection>>; open?: string[]; failing?: boolean; stores?: StoreSpace[] } = {},
) {
  const r = roomConditions({
    config,
    view: viewOf(pcs, opts.failing),
    projection: (id) => ({ mibPerMin: null, ceilingSectors: 200 * MIB, fullInMs: null, lastMibPerMin: null, ...opts.projections?.[id] }),
    stores: new Map([["local", opts.stores ?? []]]),
    isOpen: (k) => (opts.open ?? []).includes(k),
    now: NOW,
  });
  return { ...r, keys: r.active.map((c) => c.key).sort() };
}

describe("conditions (thresholds, projections, dead snapshots)", () => {
  it("warn and danger at each PC's own levels (default 75/90, PC 2 at 50/60)", () => {
    const { keys, active } = conditions({ 1: { usedSectors: 151 * MIB }, 3: { usedSectors: 181 * MIB }, 2: { usedSectors: 121 * MIB } });
    expect(keys).toEqual(["usage-danger:pc:2", "usage-danger:pc:3", "usage-warn:pc:1", "usage-warn:pc:2", "usage-warn:pc:3"]);
    expect(active.find((c) => c.key === "usage-warn:pc:1")!.message).toBe("retro-01 passed 75 % (151 MiB of 200 MiB)");
    expect(conditions({ 1: { usedSectors: 149 * MIB } }).keys).toEqual([]);
  });

  it("projected full within alerts.projectedFullMinutes, and held until 1.25 × that once raised (no flapping)", () => {
    const p = (min: number) => ({ projections: { 4: { mibPerMin: 4, fullInMs: min * 60_000 } } });
    const raised = conditions({ 4: { usedSectors: 100 * MIB } }, p(25));
    expect(raised.keys).toEqual(["projected-full:pc:4"]);
    expect(raised.active[0]!.message).toMatch(/^retro-04 will be full in about 25 min \(around \d\d:\d\d\) at 4\.0 MiB\/min: 100 MiB of 200 MiB used$/);
    expect(conditions({ 4: { usedSectors: 100 * MIB } }, p(35)).keys).toEqual([]);
    expect(conditions({ 4: { usedSectors: 100 * MIB } }, { ...p(35), open: ["projected-full:pc:4"] }).keys).toEqual(["projected-full:pc:4"]);
    expect(conditions({ 4: { usedSectors: 100 * MIB } }, { ...p(40), open: ["projected-full:pc:4"] }).keys).toEqual([]);
  });

  it("an Invalid snapshot: 'PC died at 21:14, last rate 40 MiB/min'", () => {
    const { active } = conditions({ 7: { state: "invalid", usedSectors: undefined, totalSectors: undefined } }, { projections: { 7: { lastMibPerMin: 40 } } });
    expect(active.map((c) => c.key)).toEqual(["snapshot-invalid:pc:7"]);
    expect(active[0]!.message).toBe(
      `retro-07 died at ${clock(NOW)}: its snapshot is Invalid (COW full), last rate 40 MiB/min. It fails every read and write until it is reset.`,
    );
    expect(clock(NOW)).toBe("21:14");
    expect(conditions({ 12: { state: "overflow", usedSectors: undefined } }).keys).toEqual(["snapshot-overflow:pc:12"]);
  });

  it("a host that does not answer: one condition for it; its PCs' conditions are neither raised nor cleared", () => {
    const r = conditions({ 1: { usedSectors: 190 * MIB } }, { failing: true });
    expect(r.keys).toEqual(["host-unreachable:host:local"]);
    expect(r.inScope("usage-warn:pc:1")).toBe(false);
    expect(r.active[0]!.message).toMatch(/^Storage host local does not answer since \d\d:\d\d \(agent exited\): its 14 PCs show their last numbers$/);
    expect(conditions({}).inScope("usage-warn:pc:1")).toBe(true);
  });

  it("store space below reserve + lowSpaceMiB warns; at the reserve it is danger", () => {
    const GiB = 1024 ** 3;
    const low = conditions({}, { stores: [{ dir: "/store", freeBytes: 3 * GiB, sizeBytes: 100 * GiB, reserveBytes: 1 * GiB }] });
    expect(low.active).toMatchObject([{ key: "store-low:store:local:/store", severity: "warn" }]);
    const gone = conditions({}, { stores: [{ dir: "/store", freeBytes: GiB / 2, sizeBytes: 100 * GiB, reserveBytes: GiB }] });
    expect(gone.active[0]).toMatchObject({ severity: "danger", message: expect.stringMatching(/no COW can grow$/) });
    expect(conditions({}, { stores: [{ dir: "/store", freeBytes: 50 * GiB, sizeBytes: 100 * GiB, reserveBytes: GiB }] }).keys).toEqual([]);
  });

  it("auto-extend: at its largest size past the threshold is a condition; a refusal clears once back under it", () => {
    const r = conditions({ 5: { usedSectors: 750 * MIB, totalSectors: 800 * MIB } });
    expect(r.keys).toEqual(["autoextend-max:pc:5", "usage-danger:pc:5", "usage-warn:pc:5"]);
    expect(r.inScope("autoextend-refused:pc:5")).toBe(false);
    expect(conditions({ 5: { usedSectors: 10 * MIB } }).inScope("autoextend-refused:pc:5")).toBe(true);
  });
});

describe("event log: one row and one notification per PC per condition until it clears", () => {
  it("raises once, clears, raises anew; remembers what is open across a restart", () => {
    const db = openDatabase(":memory:");
    const repo = new EventRepo(db);
    const notify = vi.fn();
    let now = 1000;
    const log = new EventLog(repo, notify, () => now);
    const warn = {
      key: conditionKey("usage-warn", "pc:1"),
      kind: "usage-warn" as const,
      machineId: 1,
      machineName: "retro-01",
      message: "retro-01 passed 75 %",
    };
    const all = () => true;
    for (let i = 0; i < 50; i++, now += 2000) log.sync([warn], all);
    expect(notify).toHaveBeenCalledTimes(1);
    expect(repo.list({ page: 1, pageSize: 100 }).total).toBe(1);
    // a restart: the open condition is read back, not raised again
    const again = new EventLog(repo, notify, () => now);
    again.sync([warn], all);
    expect(notify).toHaveBeenCalledTimes(1);
    // out of scope (its host does not answer): left open
    again.sync([], () => false);
    expect(repo.open()).toHaveLength(1);
    // it clears, then holds again: a second row, a second notification
    again.sync([], all);
    expect(repo.open()).toHaveLength(0);
    expect(repo.list({ page: 1, pageSize: 10 }).rows[0]!.clearedAt).toBe(now);
    now += 1000;
    again.sync([warn], all);
    expect(notify).toHaveBeenCalledTimes(2);
    expect(repo.list({ page: 1, pageSize: 10 }).total).toBe(2);
    // occurrences are a row each
    again.record({ kind: "online", machineId: 1, machineName: "retro-01", message: "retro-01 came online" });
    expect(repo.list({ page: 1, pageSize: 10, kind: "online" }).rows[0]).toMatchObject({ severity: "info", conditionKey: null });
  });

  it("the database refuses a second open row for one condition", () => {
    const repo = new EventRepo(openDatabase(":memory:"));
    repo.insert({ at: 1, kind: "usage-warn", severity: "warn", message: "x", conditionKey: "usage-warn:pc:1" });
    expect(() => repo.insert({ at: 2, kind: "usage-warn", severity: "warn", message: "x", conditionKey: "usage-warn:pc:1" })).toThrow(/UNIQUE/);
  });
});
