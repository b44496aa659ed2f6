import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config/load";
import { demoConfig } from "@/lib/config/demo";
import { DemoHost as SimHost } from "@/lib/host/sim/demo-host";
import { SimActivity } from "@/lib/host/sim/activity";
import { testRuntime } from "../helpers/runtime";

/** A small seeded generator (mulberry32): the same room every run. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOUR = 3_600_000;

/** The demo room (14 PCs, as a newcomer starts it) driven for `ms` of simulated time on a fake clock. */
async function simulate(seed: number, ms: number) {
  const config = parseConfig(demoConfig());
  let now = 1_700_000_000_000;
  const host = new SimHost(config, "local", { stepMs: 0, scenario: "demo" });
  await host.ready;
  const boots: number[] = [];
  const activity = new SimActivity(host, config.machines, {
    lively: true,
    troubled: 7,
    random: seeded(seed),
    bootMs: 4000,
    fetchBootScript: async (id) => void boots.push(id),
  });
  const offs = new Set<number>();
  for (const end = now + ms; now <= end; now += 2000) {
    activity.tick(now);
    for (const m of config.machines) if (!host.sessionOpen(m.id)) offs.add(m.id);
    await Promise.resolve(); // let boot-script fetches answer
  }
  const status = await host.status();
  host.close();
  const percent = (s: (typeof status.machines)[number]) => (s.state === "ok" ? (100 * s.usedSectors!) / s.totalSectors! : 100);
  return {
    invalid: status.machines.filter((s) => s.state === "invalid").length,
    below75: status.machines.filter((s) => percent(s) < 75).length,
    pc7: percent(status.machines[6]!),
    boots,
    offs,
  };
}

describe("the demo room over a simulated hour", () => {
  it.each([1, 2, 3, 4, 5, 6])("seed %i: at most one PC dies, most stay below 75 %, PCs go off and boot again", async (seed) => {
    const r = await simulate(seed, HOUR);
    expect(r.invalid).toBeLessThanOrEqual(1);
    expect(r.below75).toBeGreaterThanOrEqual(10); // of 14
    // PC 7 heads for trouble: past the warning level, where a newcomer sees the warnings
    expect(r.pc7).toBeGreaterThanOrEqual(90);
    expect(r.boots.length).toBeGreaterThan(0);
    expect(r.offs.size).toBeGreaterThan(3);
  });
});

describe("simulated PCs boot through the boot route", () => {
  let ctx: Awaited<ReturnType<typeof testRuntime>> | undefined;
  afterEach(() => ctx?.cleanup());

  async function until(what: () => boolean) {
    for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(what()).toBe(true);
  }

  it("switched on: its boot script is fetched (a reset at next boot is done first), its session opens, the boot is recorded as ok", async () => {
    ctx = await testRuntime({ COWHERD_SIM_BOOT_MS: "1000" });
    const { rt, sim } = ctx;
    const act = rt.activities.get("local")!;
    let now = Date.now();
    act.tick(now);
    sim.setMachine(3, { fraction: 0.5 });
    rt.boots.setPending(3, "admin", now);
    expect(act.switchOn(3)).toBe(true);
    await until(() => !rt.boots.pending().has(3));
    expect(rt.bootTracker.info(3).state).toBe("booting");
    expect(sim.sessionOpen(3)).toBe(false);
    act.tick((now += 2000));
    expect(sim.sessionOpen(3)).toBe(true);
    rt.room.invalidate("local");
    await rt.watch.tick();
    const boot = rt.boots.latestByMachine().get(3)!;
    expect(boot).toMatchObject({ result: "ok", machineName: "retro-03" });
    expect(boot.resetId).not.toBeNull();
    expect(rt.history.latestByMachine().get(3)).toMatchObject({ source: "boot", result: "ok" });
    expect((await rt.machinesView()).machines[2]!.percent).toBeLessThan(1);
    // Shut down: its session ends.
    act.switchOff(3);
    expect(sim.sessionOpen(3)).toBe(false);
  });

  it("woken by Wake-on-LAN: it boots (recorded); a card that does not answer stays off", async () => {
    ctx = await testRuntime({ COWHERD_SIM_BOOT_MS: "500", COWHERD_SIM_INIT: JSON.stringify({ "5": { wol: false } }) });
    const { rt, sim } = ctx;
    const act = rt.activities.get("local")!;
    let now = Date.now();
    act.tick(now);
    expect(act.wake(4)).toBe(true);
    expect(act.wake(5)).toBe(false);
    await until(() => rt.boots.latestByMachine().get(4)?.result === "booting");
    act.tick((now += 1000));
    rt.room.invalidate("local"); // the next status read, not the one the boot script's fetch made
    await rt.watch.tick();
    expect(rt.boots.latestByMachine().get(4)!.result).toBe("ok");
    expect(rt.boots.latestByMachine().has(5)).toBe(false);
    expect(sim.sessionOpen(5)).toBe(false);
    // Waking a PC that runs does not boot it again.
    expect(act.switchOn(4)).toBe(false);
  });
});
