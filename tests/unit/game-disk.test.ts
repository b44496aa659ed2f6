import { beforeEach, describe, expect, it } from "vitest";
import { runHelper } from "@/helper/run-helper";
import { exportSteps, exportedFor } from "@/helper/iscsi/backend";
import { diskIdentity } from "@/helper/iscsi/identity";
import { ietBackend } from "@/helper/iscsi/iet";
import { lioBackend, lioPaths, parseLio } from "@/helper/iscsi/lio";
import { parseTgtShow, tgtBackend } from "@/helper/iscsi/tgt";
import { parseConfig } from "@/lib/config/load";
import type { ConfigInput } from "@/lib/config/schema";
import { groupUpdateTarget } from "@/lib/host/images";
import type { HelperOutput } from "@/lib/host/protocol";
import type { MachineHostStatus, ResetReport } from "@/lib/host/types";
import { SimKernel } from "@/lib/host/sim/kernel/kernel";

// The shared game disk (issue 19 item 2), driven as the app drives the helper: its argv through
// runHelper, on the simulated kernel. Group "retro" (PCs 1, 2) has a game disk on /store/games.img;
// group "newer" (PC 3) has none.

const MiB = 1048576;
const PREFIX = "iqn.2026-11.test.cowherd";
const input: ConfigInput = {
  host: "real",
  groups: [
    { name: "retro", gameDisk: { master: "/store/games.img", cowSizeMiB: 8, maxCowSizeMiB: 32 } },
    { name: "newer", master: "/store/win7.img" },
  ],
  machines: [
    { id: 1, name: "pc1", ip: "10.0.0.41", dmName: "retrocow1", group: "retro" },
    { id: 2, name: "pc2", ip: "10.0.0.42", dmName: "retrocow2", group: "retro" },
    { id: 3, name: "pc3", ip: "10.0.0.43", dmName: "retrocow3", group: "newer" },
  ],
  defaults: { cowSizeMiB: 16, chunkSectors: 8, mode: "P" },
  storage: { master: "/store/master.img", cowDir: "/store", iqnPrefix: PREFIX, reserveMiB: 64 },
};
const config = parseConfig(input);
const GAME_UPDATE = groupUpdateTarget(PREFIX, "retro-game");

type Out = HelperOutput & { [key: string]: unknown };

describe("a shared game disk on the storage host", () => {
  let k: SimKernel;
  const helper = async (...argv: string[]) => {
    const { io } = k.io(() => config);
    const r = await runHelper(argv, io);
    return { code: r.code, out: r.output as Out };
  };
  const status = async () => {
    const r = await helper("status");
    return new Map(((r.out as { machines: MachineHostStatus[] }).machines ?? []).map((m) => [m.id, m]));
  };
  const reports = (out: Out) => (out as { reports: ResetReport[] }).reports;
  /** The file a snapshot's origin loop holds (which version a disk sits on). */
  const originOf = (dm: string) => {
    const origin = k.dm.get(dm)!.live!.split(" ")[3];
    return k.loops.find((l) => `7:${l.name.replace("/dev/loop", "")}` === origin)?.backFile;
  };
  const used = (dm: string) => k.snapshotUsage(dm)!.usedSectors;
  let fresh: number;

  beforeEach(async () => {
    k = new SimKernel();
    k.addFile("/store/master.img", 64 * MiB);
    k.addFile("/store/win7.img", 64 * MiB);
    k.addFile("/store/games.img", 32 * MiB);
    const r = await helper("up");
    expect(r.code, JSON.stringify(r.out)).toBe(0);
    fresh = used("retrocow1-game");
  });

  it("up makes both snapshots, both COWs and both LUNs on the PC's one target; the game LUN shows the game disk's identity", async () => {
    expect(originOf("retrocow1")).toBe("/store/master.img");
    expect(originOf("retrocow1-game")).toBe("/store/games.img");
    expect(k.dm.get("retrocow1-game")!.live).toMatch(/ P 8$/);
    expect(k.files.get("/store/retrocow1-game.cow")!.size).toBe(8 * MiB);
    expect(k.files.get("/store/retrocow1.cow")!.size).toBe(16 * MiB);
    const shown = parseTgtShow(k.tgt.show());
    const t1 = shown.get(`${PREFIX}:retrocow1`)!;
    expect([...t1.luns]).toEqual([
      [1, "/dev/mapper/retrocow1"],
      [2, "/dev/mapper/retrocow1-game"],
    ]);
    expect([...t1.serials!]).toEqual([
      [1, "CWHSYS1"],
      [2, "CWHGAM1"],
    ]);
    expect(k.tgt.identity(1, 2)).toMatchObject({ vendor_id: "COWHERD", product_id: "GAME-DISK", scsi_sn: "CWHGAM1" });
    // A PC of a group without a game disk has one LUN and no game device.
    expect([...shown.get(`${PREFIX}:retrocow3`)!.luns.keys()]).toEqual([1]);
    expect(k.dm.has("retrocow3-game")).toBe(false);
    // up again changes nothing.
    const before = k.mutations().length;
    expect((await helper("up")).code).toBe(0);
    expect(k.mutations().length).toBe(before);
  });

  it("status fills `game` for PCs that have one: the kernel's numbers, exported, the version; and lists the game line", async () => {
    k.write("retrocow1-game", 2 * MiB);
    const st = await status();
    expect(st.get(1)!.game).toEqual({
      state: "ok",
      usedSectors: used("retrocow1-game"),
      totalSectors: 16384,
      metadataSectors: expect.any(Number),
      exported: true,
      suspended: false,
      version: 1,
    });
    expect(used("retrocow1-game")).toBeGreaterThan(fresh + 4096 - 1);
    expect(st.get(1)!.usedSectors).toBe(used("retrocow1"));
    expect(st.get(3)!.game).toBeUndefined();
    const r = await helper("status");
    const groups = (r.out as { groups: { group: string; disk?: string; current: number; versions: { machines: number[] }[] }[] }).groups;
    expect(groups.map((g) => [g.group, g.disk, g.current, g.versions[0]!.machines])).toEqual([
      ["retro", undefined, 1, [1, 2]],
      ["retro", "game", 1, [1, 2]],
      ["newer", undefined, 1, [3]],
    ]);
    // The game LUN gone (tgtd lost it): status says so, and repair brings it back on LUN 2.
    delete k.targets.get(1)!.lun2;
    expect((await status()).get(1)!.game!.exported).toBe(false);
    expect((await status()).get(1)!.exported).toBe(true);
    const rep = await helper("repair");
    expect((rep.out as { machines: { id: number; actions: string[] }[] }).machines.find((m) => m.id === 1)!.actions).toEqual([
      "game:lun-online",
      "game:lun-identity",
    ]);
    expect(k.tgt.identity(1, 2)!.scsi_sn).toBe("CWHGAM1");
    // A game LUN with tgtd's default serial is a problem of the game disk, not the system disk's.
    delete k.targets.get(1)!.lun2Identity;
    const bad = (await status()).get(1)!;
    expect(bad.problem).toBeUndefined();
    expect(bad.game!.problem).toMatch(/game disk's LUN shows SCSI serial beaf12, not the game disk's CWHGAM1/);
  });

  it("a reset resets both disks: both come back fresh, the game steps named game:…", async () => {
    k.write("retrocow1", 4 * MiB);
    k.write("retrocow1-game", 2 * MiB);
    const sysFresh = (await status()).get(2)!.usedSectors;
    expect(used("retrocow1")).toBeGreaterThan(sysFresh!);
    expect(used("retrocow1-game")).toBeGreaterThan(fresh);
    const r = await helper("reset", "1");
    expect(r.code, JSON.stringify(r.out)).toBe(0);
    const [rep] = reports(r.out);
    expect(rep).toMatchObject({ id: 1, ok: true, outcome: "fresh" });
    expect(rep!.steps.map((s) => s.step)).toEqual([
      "check",
      "dm-error",
      "cow-zero",
      "dm-load",
      "dm-resume",
      "game:check",
      "game:dm-error",
      "game:cow-zero",
      "game:dm-load",
      "game:dm-resume",
    ]);
    expect(used("retrocow1")).toBe(sysFresh);
    expect(used("retrocow1-game")).toBe(fresh);
    // A PC without a game disk: its system disk's steps only, as before.
    const r3 = await helper("reset", "3");
    expect(reports(r3.out)[0]!.steps.map((s) => s.step)).toEqual(["check", "dm-error", "cow-zero", "dm-load", "dm-resume"]);
  });

  it("reset --disk game resets only the game disk (the system disk keeps its data); --disk system only the system disk", async () => {
    k.write("retrocow1", 4 * MiB);
    k.write("retrocow1-game", 2 * MiB);
    const sysUsed = used("retrocow1");
    let r = await helper("reset", "--disk", "game", "1");
    expect(r.code, JSON.stringify(r.out)).toBe(0);
    expect(reports(r.out)[0]!.steps.every((s) => s.step.startsWith("game:"))).toBe(true);
    expect(used("retrocow1")).toBe(sysUsed);
    expect(used("retrocow1-game")).toBe(fresh);
    k.write("retrocow1-game", 2 * MiB);
    const gameUsed = used("retrocow1-game");
    r = await helper("reset", "--force", "--disk", "system", "1");
    expect(r.code).toBe(0);
    expect(reports(r.out)[0]!.steps.some((s) => s.step.startsWith("game:"))).toBe(false);
    expect(used("retrocow1")).toBeLessThan(sysUsed);
    expect(used("retrocow1-game")).toBe(gameUsed);
    expect(gameUsed).toBeGreaterThan(fresh);
  });

  it("a game disk version: a draft on the game update target, published, moves only the game disk of a PC at its reset; rollback moves it back", async () => {
    let r = await helper("image-update", "1", "--disk", "game");
    expect(r.code, JSON.stringify(r.out)).toBe(0);
    expect((r.out as { images: { group: string; disk?: string; draft: { iqn: string } } }).images).toMatchObject({
      group: "retro",
      disk: "game",
      draft: { iqn: GAME_UPDATE.iqn, state: "ready" },
    });
    // The draft is exported on the game line's own update target, on its usual LUN, as the game disk.
    const t = k.targets.get(GAME_UPDATE.tid)!;
    expect(t.iqn).toBe(GAME_UPDATE.iqn);
    expect(k.loops.find((l) => l.name === t.lun1)!.backFile).toBe("/store/games.v2.draft");
    expect(k.tgt.identity(GAME_UPDATE.tid)!.scsi_sn).toBe("CWHGAM1");
    expect(t.acl).toEqual(["10.0.0.41"]);
    // The PC's own disks are untouched meanwhile.
    expect(originOf("retrocow1")).toBe("/store/master.img");
    r = await helper("image-publish", "--disk", "game");
    expect(r.code, JSON.stringify(r.out)).toBe(0);
    expect(k.files.has("/store/games.v2.img")).toBe(true);
    expect(k.targets.has(GAME_UPDATE.tid)).toBe(false);
    // Nobody moved yet; PC 1's reset moves its game disk to v2, its system disk stays on the master's v1.
    expect((await status()).get(1)!.game!.version).toBe(1);
    r = await helper("reset", "1");
    expect(r.code, JSON.stringify(r.out)).toBe(0);
    expect(originOf("retrocow1-game")).toBe("/store/games.v2.img");
    expect(originOf("retrocow1")).toBe("/store/master.img");
    let st = await status();
    expect([st.get(1)!.version, st.get(1)!.game!.version, st.get(2)!.game!.version]).toEqual([1, 2, 1]);
    expect(originOf("retrocow2-game")).toBe("/store/games.img");
    const state = (file: string) => JSON.parse(k.files.get(`/var/lib/cowherd-helper/${file}`)!.text!);
    expect([state("images-retro-game.json").current, state("images-retro-game.json").pcs]).toEqual([2, { "1": 2, "2": 1 }]);
    expect(state("images.json").current).toBe(1); // the system disk's line: untouched
    expect(state("images.json").versions).toHaveLength(1);
    // Rollback of the game disk only: PC 1 back on games v1 at its next reset.
    r = await helper("image-current", "1", "--disk", "game");
    expect(r.code, JSON.stringify(r.out)).toBe(0);
    expect((r.out as { images: { current: number; disk?: string } }).images).toMatchObject({ current: 1, disk: "game" });
    r = await helper("reset", "--disk", "game", "1");
    expect(r.code).toBe(0);
    expect(originOf("retrocow1-game")).toBe("/store/games.img");
    st = await status();
    expect([st.get(1)!.version, st.get(1)!.game!.version]).toEqual([1, 1]);
    r = await helper("images", "--group", "retro", "--disk", "game");
    expect((r.out as { images: { versions: { n: number }[] } }).images.versions.map((v) => v.n)).toEqual([1, 2]);
  });

  it("grow --disk game grows the game COW only", async () => {
    const r = await helper("grow", "1", "16", "--expect-sectors", "16384", "--disk", "game");
    expect(r.code, JSON.stringify(r.out)).toBe(0);
    expect(r.out).toMatchObject({ ok: true, totalSectors: 32768 });
    expect(k.files.get("/store/retrocow1-game.cow")!.size).toBe(16 * MiB);
    expect(k.files.get("/store/retrocow1.cow")!.size).toBe(16 * MiB);
    expect((await helper("grow", "1", "64", "--disk", "game")).out).toMatchObject({ ok: false, step: "validate" });
  });

  it("down takes both disks down: both LUNs, the target, both devices and both COW loops", async () => {
    const r = await helper("down", "1");
    expect((r.out as { machines: { actions: string[] }[] }).machines[0]!.actions).toEqual([
      "game:lun-offline",
      "lun-offline",
      "target-deleted",
      "dm-removed",
      "cow-loop-detached",
      "game:dm-removed",
      "game:cow-loop-detached",
    ]);
    expect(k.dm.has("retrocow1") || k.dm.has("retrocow1-game") || k.targets.has(1)).toBe(false);
    expect(k.loops.some((l) => l.backFile.startsWith("/store/retrocow1"))).toBe(false);
    expect((await status()).get(1)!.game).toMatchObject({ state: "missing", exported: false });
  });

  it("refuses --disk game for a PC or group without a game disk, and a disk that is not one, with nothing changed", async () => {
    const before = k.mutations().length;
    const gameState = k.files.get("/var/lib/cowherd-helper/images-retro-game.json")!.text;
    const cases: [string[], RegExp][] = [
      [["reset", "--disk", "game", "3"], /PC 3 has no game disk/],
      [["reset", "--disk", "game", "1", "3"], /PC 3 has no game disk/],
      [["reset", "--disk", "tape", "1"], /--disk takes system or game, not "tape"/],
      [["reset", "1", "--disk", "game"], /invalid machine id "--disk"/],
      [["image-update", "3", "--disk", "game"], /PC 3 has no game disk/],
      [["image-publish", "--group", "newer", "--disk", "game"], /group "newer" has no game disk \(groups with one: retro\)/],
      [["image-current", "1", "--disk", "tape"], /--disk takes system or game/],
      [["image-current", "1", "--disk", "game", "--group", "retro"], /invalid|takes no|needs a version/],
      [["grow", "3", "64", "--disk", "game"], /PC 3 has no game disk/],
    ];
    for (const [argv, message] of cases) {
      const r = await helper(...argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect((r.out as { error: { code: string; message: string } }).error, argv.join(" ")).toMatchObject({
        code: "usage",
        message: expect.stringMatching(message),
      });
    }
    expect(k.mutations().length).toBe(before);
    expect(k.files.get("/var/lib/cowherd-helper/images-retro-game.json")!.text).toBe(gameState);
  });
});

describe("the game disk's LUN in each target's commands", () => {
  const spec = { tid: 7, iqn: `${PREFIX}:retrocow7-game`, name: "retrocow7-game", device: "/dev/mapper/retrocow7-game", allow: "ALL" };
  const argv = (cmds: { args: string[] }[]) => cmds.map((c) => c.args.join(" "));

  it("goes on the backend's LUN + 1 (tgt 2, IET and LIO 1); without a LUN number, the backend's own as before", () => {
    expect(argv(tgtBackend.lunOnline({ ...spec, lun: 2 }))[0]).toMatch(/--lun 2 -b \/dev\/mapper\/retrocow7-game/);
    expect(argv(tgtBackend.lunOffline({ ...spec, lun: 2 }))[0]).toMatch(/--tid 7 --lun 2$/);
    expect(argv(tgtBackend.lunIdentity({ ...spec, lun: 2, identity: diskIdentity("game") }))[0]).toMatch(/--lun 2 --params .*scsi_sn=CWHGAM1$/);
    expect(argv(tgtBackend.lunOnline(spec))[0]).toMatch(/--lun 1 /);
    expect(argv(ietBackend.lunOnline({ ...spec, lun: 1 }))[0]).toMatch(/--lun 1 --params Path=\/dev\/mapper\/retrocow7-game/);
    expect(argv(ietBackend.lunOffline(spec))[0]).toMatch(/--lun 0$/);
    const lio = lioBackend(() => []);
    expect(argv(lio.lunOnline({ ...spec, lun: 1 }))[1]).toMatch(/create \/backstores\/block\/retrocow7-game lun=1$/);
    expect(argv(lio.lunOffline({ ...spec, lun: 1 }))[0]).toMatch(/delete lun=1$/);
    expect(lioPaths({ ...spec, lun: 1 }).lun).toMatch(/\/lun\/lun_1\/alua_tg_pt_gp$/);
  });

  it("LIO reads both LUNs of one target from its two specs; exportedFor and exportSteps look at the spec's LUN", () => {
    const sys = { ...spec, iqn: `${PREFIX}:retrocow7`, name: "retrocow7", device: "/dev/mapper/retrocow7" };
    const game = { ...sys, name: "retrocow7-game", device: "/dev/mapper/retrocow7-game", lun: 1 };
    const p = lioPaths(sys);
    const files = new Map<string, string | null>([
      [p.enable, "1"],
      [p.lun, ""],
      [lioPaths(game).lun, ""],
      [p.acls, "1"],
    ]);
    const t = parseLio(files, [sys, game]).get(sys.iqn)!;
    expect([...t.luns]).toEqual([
      [0, "/dev/mapper/retrocow7"],
      [1, "/dev/mapper/retrocow7-game"],
    ]);
    const lio = lioBackend(() => [sys, game]);
    expect(exportedFor(lio, game, t)).toBe(true);
    t.luns.delete(1);
    expect(exportedFor(lio, game, t)).toBe(false);
    expect(exportedFor(lio, sys, t)).toBe(true);
    // Only the missing LUN is made: the target and its binding are there.
    expect(exportSteps(lio, game, t).map((s) => s.action)).toEqual(["lun-online"]);
  });
});
