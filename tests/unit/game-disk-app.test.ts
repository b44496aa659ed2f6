import { afterEach, describe, expect, it } from "vitest";
import { pcScript, type PcBoot } from "@/lib/boot/ipxe";
import { parseConfig } from "@/lib/config/load";
import { demoConfig } from "@/lib/config/demo";
import { roomConditions } from "@/lib/events/conditions";
import { buildMachinesView } from "@/lib/status/machines-view";
import type { MachineHostStatus } from "@/lib/host/types";
import { POST as resetPost } from "@/app/api/machines/[id]/reset/route";
import { POST as bulkPost } from "@/app/api/resets/route";
import { adminCookie, call } from "../helpers/routes";
import { spyOnResets, testRuntime } from "../helpers/runtime";

const MIB = 2048;
/** The demo room (without its own game disk) with a game disk in its first group, "retro": those PCs get `game`. */
const withGame = (gameDisk: object = { master: "/srv/cowherd/games.img", cowSizeMiB: 100, maxCowSizeMiB: 300 }) => {
  const raw = demoConfig();
  return { ...raw, groups: raw.groups!.map((g, i) => (i === 0 ? { ...g, gameDisk } : g)) };
};

describe("game disk: config", () => {
  it("gives each PC of the group a game disk beside its system COW, with the group's game sizes", () => {
    const c = parseConfig(withGame());
    const m = c.machines[0]!;
    expect(c.groups[0]!.game).toEqual({ master: "/srv/cowherd/games.img", imageDir: "/srv/cowherd", keepVersions: c.groups[0]!.keepVersions });
    expect(m.game).toMatchObject({ dmName: `${m.dmName}-game`, cowSizeMiB: 100, maxCowSizeMiB: 300, chunkSectors: m.chunkSectors, mode: m.mode });
    expect(m.game!.cowPath).toBe(m.cowPath.replace(/[^/]+$/, `${m.dmName}-game.cow`));
    // A room without a game disk: no PC has one.
    expect(parseConfig(demoConfig()).machines.every((x) => x.game === undefined)).toBe(true);
  });

  it("refuses a game master that is a system master, and a game dm name another PC already has", () => {
    const raw = withGame();
    const systemMaster = parseConfig(demoConfig()).storage.master;
    expect(() => parseConfig(withGame({ master: systemMaster }))).toThrow(/same master/);
    const machines = raw.machines.map((m, i) => (i === 1 ? { ...m, dmName: `${raw.machines[0]!.dmName}-game` } : m));
    expect(() => parseConfig({ ...raw, machines })).toThrow(/game disk's device .* is another PC's dmName/);
  });
});

describe("game disk: the boot script", () => {
  const pc: PcBoot = {
    name: "retro-01",
    ip: "10.0.0.41",
    host: "local",
    initiatorIqn: "iqn.2026-11.lan.retro:retro-01",
    sanUri: "iscsi:10.0.0.1::3260:1:iqn.t:retrocow1",
    keepSan: false,
    failedPath: "/boot/failed",
  };
  const lines = (s: string) => s.split("\n");

  it("hooks the system disk as BIOS drive 0x80, then the game disk as 0x81, boots 0x80, and reports which of the two failed", () => {
    const l = lines(pcScript({ ...pc, game: { sanUri: "iscsi:10.0.0.1::3260:2:iqn.t:retrocow1" } }));
    const sys = l.indexOf("sanhook --drive 0x80 iscsi:10.0.0.1::3260:1:iqn.t:retrocow1 || goto failed");
    const hook = l.indexOf("sanhook --drive 0x81 iscsi:10.0.0.1::3260:2:iqn.t:retrocow1 || goto failed");
    const boot = l.indexOf("sanboot --drive 0x80 || goto failed");
    expect(sys).toBeGreaterThan(0);
    expect(hook).toBeGreaterThan(sys);
    expect(boot).toBeGreaterThan(hook);
    expect(l[sys - 1]).toBe("set cowherd-step sanboot");
    expect(l[hook - 1]).toBe("set cowherd-step sanhook");
    expect(l[boot - 1]).toBe("set cowherd-step sanboot");
    // Both drives are unhooked when the system returns or a step fails (iPXE honours keep-san there).
    const failed = l.indexOf(":failed");
    expect(l.slice(failed + 1, failed + 3)).toEqual([
      "sanunhook --drive 0x81 || set cowherd-unhook failed",
      "sanunhook --drive 0x80 || set cowherd-unhook failed",
    ]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: iPXE's own expansions
    expect(l).toContain("chain /boot/failed?step=${cowherd-step}&errno=${errno} || goto unreachable");
  });

  it("a PC without a game disk gets the script it had before: one sanboot, step sanboot", () => {
    const l = lines(pcScript(pc));
    expect(l.filter((x) => /^san(hook|boot)/.test(x))).toEqual(["sanboot iscsi:10.0.0.1::3260:1:iqn.t:retrocow1 || goto failed"]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: iPXE's own expansions
    expect(l).toContain("chain /boot/failed?step=sanboot&errno=${errno} || goto unreachable");
  });

  it("game disk update mode says so on the PC's screen and hooks the draft", () => {
    const s = pcScript({ ...pc, game: { sanUri: "iscsi:10.0.0.1::3260:1:iqn.t:update-retro-game", updateOf: 3 } });
    expect(s).toContain("GAME DISK is in UPDATE MODE: the draft of game disk v3");
    expect(s).toContain("sanhook --drive 0x81 iscsi:10.0.0.1::3260:1:iqn.t:update-retro-game || goto failed");
  });
});

describe("game disk: the grid and the alerts", () => {
  const config = parseConfig(withGame());
  const pcStatus = (game: MachineHostStatus["game"]): MachineHostStatus => ({
    id: 1,
    state: "ok",
    usedSectors: 10 * MIB,
    totalSectors: 200 * MIB,
    online: false,
    initiators: [],
    exported: true,
    suspended: false,
    version: 1,
    game,
  });
  const view = (s: MachineHostStatus) =>
    buildMachinesView(
      config,
      [{ name: "local", health: { state: "up", since: 0 }, status: { readAt: 1, machines: [s] }, failing: null }],
      new Map(),
      new Map(),
      new Map(),
      2,
    );

  it("shows the game disk's own numbers and level; the PC's badge is the more urgent disk's", () => {
    const ok = view(pcStatus({ state: "ok", usedSectors: 95 * MIB, totalSectors: 100 * MIB, exported: true, suspended: false, version: 2 })).machines[0]!;
    expect(ok.percent).toBe(5);
    expect(ok.level).toBe("normal");
    expect(ok.game).toMatchObject({ percent: 95, level: "danger", condition: "danger", image: { version: 2 } });
    expect(ok.condition).toBe("danger");
    const dead = view(pcStatus({ state: "invalid", exported: true, suspended: false })).machines[0]!;
    expect(dead.game!.condition).toBe("invalid");
    expect(dead.condition).toBe("invalid");
    // A game disk that is fine leaves the PC's own condition.
    const fine = view(pcStatus({ state: "ok", usedSectors: 1 * MIB, totalSectors: 100 * MIB, exported: true, suspended: false })).machines[0]!;
    expect(fine.condition).toBe("normal");
    // PCs of a group without a game disk have none.
    expect(buildMachinesView(parseConfig(demoConfig()), [], new Map(), new Map(), new Map(), 2).machines[0]!.game).toBeNull();
  });

  it("raises the game disk's conditions under its own key, in words that name the game disk", () => {
    const v = view(pcStatus({ state: "ok", usedSectors: 95 * MIB, totalSectors: 100 * MIB, exported: true, suspended: false }));
    const r = roomConditions({
      config,
      view: v,
      projection: () => null,
      stores: new Map(),
      isOpen: () => false,
      now: 3,
    });
    const game = r.active.filter((c) => c.key.endsWith(":pc:1:game"));
    expect(game.map((c) => c.kind).sort()).toEqual(["usage-danger", "usage-warn"]);
    expect(game[0]!.message).toMatch(/^retro-01's game disk passed/);
    // The system disk at 5 % raises nothing.
    expect(r.active.filter((c) => c.key.endsWith(":pc:1"))).toEqual([]);
  });
});

describe("game disk: reset requests", () => {
  let ctx: Awaited<ReturnType<typeof testRuntime>> | null = null;
  afterEach(() => ctx?.cleanup());

  it("a game-disk-only reset of a PC without one, and a one-disk reset at next boot, are 400s that touch nothing", async () => {
    ctx = await testRuntime();
    const calls = spyOnResets(ctx.sim);
    const cookie = await adminCookie();
    const noGame = await call(resetPost, { params: { id: "1" }, cookie, body: { disk: "game" } });
    expect(noGame.status).toBe(400);
    expect(noGame.json.error.message).toMatch(/retro-01 has no game disk/);
    const nextBoot = await call(bulkPost, { cookie, body: { machines: [1, 2], disk: "system", whenOnline: "next-boot" } });
    expect(nextBoot.status).toBe(400);
    expect(nextBoot.json.error.message).toMatch(/cannot wait for the next boot/);
    const bad = await call(resetPost, { params: { id: "1" }, cookie, body: { disk: "tape" } });
    expect(bad.status).toBe(400);
    expect(calls).not.toHaveBeenCalled();
    expect(ctx.rt.boots.pending().size).toBe(0);
  });
});

describe("game disk: the demo room", () => {
  it("has it on the Retro PCs only, unless COWHERD_SIM_GAMEDISK=0; another value stops the start and says what it takes", async () => {
    const { loadConfig } = await import("@/lib/config/load");
    const c = loadConfig({});
    expect(c.groups.map((g) => [g.name, !!g.game])).toEqual([
      ["retro", true],
      ["newer", false],
    ]);
    expect(c.machines.filter((m) => m.game).map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(loadConfig({ COWHERD_SIM_GAMEDISK: "0" }).groups.every((g) => !g.game)).toBe(true);
    expect(() => loadConfig({ COWHERD_SIM_GAMEDISK: "yes" })).toThrow(/COWHERD_SIM_GAMEDISK must be 1 .* or 0/);
  });
});
