import { createSocket } from "node:dgram";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PUT as keepPut } from "@/app/api/machines/[id]/keep/route";
import { POST as bulkPost } from "@/app/api/resets/route";
import { GET as historyGet } from "@/app/api/history/route";
import { POST as wakePost } from "@/app/api/wake/route";
import { AppError } from "@/lib/api/errors";
import { knownGroup, PcArgsError, parseResetArgs, pcsOfGroup, takeGroup } from "@/lib/cli/pc-args";
import { demoConfig } from "@/lib/config/demo";
import { parseConfig } from "@/lib/config/load";
import { selectPcs } from "@/lib/reset/pc-selection";
import { adminCookie, call } from "../helpers/routes";
import { spyOnResets, testRuntime } from "../helpers/runtime";

// The demo room: "retro" (retro-01..10) and "newer" (retro-11..14, its own master).
const RETRO = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const NEWER = [11, 12, 13, 14];

/** What an AppError thrown by `fn` says (status and message). */
function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return { status: e.status, message: e.message };
    throw e;
  }
  throw new Error("not refused");
}

describe("selectPcs: the PCs a request names", () => {
  const config = parseConfig(demoConfig());

  it("a group is its PCs in config order; 'all' and a list are as before", () => {
    expect(selectPcs(config, { group: "newer" })).toEqual(NEWER);
    expect(selectPcs(config, { group: "retro" })).toEqual(RETRO);
    expect(selectPcs(config, { machines: "all" })).toEqual([...RETRO, ...NEWER]);
    expect(selectPcs(config, { machines: [3, 12] })).toEqual([3, 12]);
  });

  it("an unknown group, a group without PCs, both or neither: a 400 that says what to give", () => {
    expect(refusal(() => selectPcs(config, { group: "modern" }))).toEqual({ status: 400, message: "No PC group modern: the groups are retro, newer" });
    const empty = parseConfig({
      ...demoConfig(),
      groups: [...demoConfig().groups!, { name: "spare", master: "/store/spare.img" }],
    });
    expect(refusal(() => selectPcs(empty, { group: "spare" }))).toEqual({
      status: 400,
      message: "PC group spare has no PCs (the groups: retro, newer, spare)",
    });
    expect(refusal(() => selectPcs(config, { group: "newer", machines: [1] }))).toMatchObject({ status: 400, message: "Give machines or group, not both" });
    expect(refusal(() => selectPcs(config, {}))).toMatchObject({ status: 400 });
  });
});

describe("the API takes a group where it takes PCs", () => {
  let ctx: Awaited<ReturnType<typeof testRuntime>>;
  let cookie: string;
  let hostCalls: ReturnType<typeof spyOnResets>;
  beforeEach(async () => {
    ctx = await testRuntime();
    cookie = await adminCookie();
    hostCalls = spyOnResets(ctx.sim);
  });
  afterEach(() => ctx.cleanup());

  it("POST /api/resets {group}: that group's PCs only, in one job, a kept one left alone and named, audited with the group", async () => {
    expect((await call(keepPut, { method: "PUT", params: { id: "12" }, cookie })).status).toBe(200);
    ctx.sim.write(3, 4096);
    ctx.sim.write(13, 4096);
    const r = await call(bulkPost, { body: { group: "newer", whenOnline: "next-boot" }, cookie });
    expect(r.status).toBe(202);
    expect(r.json.kept).toEqual([12]);
    expect(r.json.job.machines.map((m: { id: number }) => m.id)).toEqual([11, 13, 14]);
    const job = await ctx.rt.orchestrator.wait(r.json.job.id);
    expect(job.summary).toMatchObject({ requested: 3, ok: 3, failed: 0 });
    expect(hostCalls.mock.calls.flat(2)).toEqual([11, 13, 14]);
    const h = await call(historyGet, { url: "/api/history?pageSize=50", cookie });
    expect(h.json.resets.map((x: { machineId: number }) => x.machineId).sort((a: number, b: number) => a - b)).toEqual([11, 13, 14]);
    // The other group's PC keeps what it wrote; the group's PC is fresh.
    expect(ctx.sim.usedBytes(3)).toBeGreaterThan(4096 * 512 - 1);
    expect(ctx.sim.usedBytes(13)).toBeLessThan(4096 * 512);
    const row = ctx.rt.audit.list({ action: "reset.bulk", page: 1, pageSize: 1 }).rows[0]!;
    expect(row.target).toBe("retro-11,retro-12,retro-13,retro-14");
    expect(row.detail).toMatch(/^group newer; job .*left alone \(kept\): retro-12$/);
  });

  it("POST /api/resets: an unknown group is a 400 naming the groups; group with machines, neither, a bad name: 400; nothing reset", async () => {
    const unknown = await call(bulkPost, { body: { group: "modern" }, cookie });
    expect([unknown.status, unknown.json.error.message]).toEqual([400, "No PC group modern: the groups are retro, newer"]);
    const both = await call(bulkPost, { body: { group: "newer", machines: [1] }, cookie });
    expect([both.status, both.json.error.message]).toEqual([400, 'Invalid body: group: give machines (ids or "all") or group, not both']);
    const allToo = await call(bulkPost, { body: { group: "newer", machines: "all" }, cookie });
    expect(allToo.status).toBe(400);
    const neither = await call(bulkPost, { body: { whenOnline: "force" }, cookie });
    expect([neither.status, neither.json.error.message]).toEqual([400, 'Invalid body: machines: give machines (ids or "all") or group']);
    expect((await call(bulkPost, { body: { group: "Newer PCs" }, cookie })).status).toBe(400);
    expect((await call(bulkPost, { body: { group: 3 }, cookie })).status).toBe(400);
    expect(hostCalls).not.toHaveBeenCalled();
  });

  it("POST /api/wake {group}: a packet for each PC of that group only; an unknown group or group with machines is a 400, nothing sent", async () => {
    const sock = createSocket("udp4");
    const got: string[] = [];
    sock.on("message", (msg) => got.push([...msg.subarray(6, 12)].map((b) => b.toString(16).padStart(2, "0")).join(":")));
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    const t = await testRuntime({ COWHERD_SIM_WOL_PORT: String(sock.address().port) });
    try {
      const c = await adminCookie();
      const bad = await call(wakePost, { body: { group: "modern" }, cookie: c });
      expect([bad.status, bad.json.error.message]).toEqual([400, "No PC group modern: the groups are retro, newer"]);
      expect((await call(wakePost, { body: { group: "newer", machines: [11] }, cookie: c })).status).toBe(400);
      const r = await call(wakePost, { body: { group: "newer", batchSize: 4, intervalSeconds: 0 }, cookie: c });
      expect(r.status).toBe(202);
      expect(r.json.job.machines.map((m: { id: number }) => m.id)).toEqual(NEWER);
      await expect.poll(() => got.length, { timeout: 3000 }).toBe(4);
      const macs = t.rt.config.machines.filter((m) => NEWER.includes(m.id)).map((m) => m.mac);
      expect(got.sort()).toEqual([...macs].sort());
      expect(t.rt.audit.list({ action: "wake", page: 1, pageSize: 1 }).rows[0]!.detail).toMatch(/^group newer; job /);
    } finally {
      sock.close();
      t.cleanup();
    }
  });
});

describe("the shell tool's PC arguments", () => {
  it("reset takes PCs, all, or --group <name> (not with PCs, not with --kept)", () => {
    expect(parseResetArgs(["retro-01", "3"])).toEqual({ pcs: ["retro-01", "3"], whenOnline: "refuse", confirmKept: false });
    expect(parseResetArgs(["--group", "newer", "--next-boot"])).toEqual({ pcs: [], group: "newer", whenOnline: "next-boot", confirmKept: false });
    expect(parseResetArgs(["--force", "--group", "retro"])).toMatchObject({ group: "retro", whenOnline: "force" });
    expect(() => parseResetArgs(["--group", "newer", "retro-01"])).toThrow(new PcArgsError("give PCs or --group newer, not both"));
    expect(() => parseResetArgs(["--kept", "--group", "newer"])).toThrow(PcArgsError);
    // The usage: no PCs, --group without a name or twice, two ways for PCs that are up, --kept of several.
    for (const bad of [[], ["--group"], ["--group", "--force"], ["--group", "a", "--group", "b"], ["--force", "--next-boot", "1"], ["--kept", "1", "2"]])
      expect(parseResetArgs(bad), bad.join(" ")).toBeNull();
    expect(parseResetArgs(["--kept", "retro-03"])).toEqual({ pcs: ["retro-03"], whenOnline: "refuse", confirmKept: true });
  });

  it("takeGroup takes --group <name> out once; list --group keeps that group's PCs, an unknown one names the groups", () => {
    expect(takeGroup(["--json", "--group", "newer"])).toEqual({ group: "newer", rest: ["--json"] });
    expect(takeGroup(["--json"])).toEqual({ rest: ["--json"] });
    expect(takeGroup(["--group"]).rest).toBeNull();
    const view = {
      groups: [
        { name: "retro", label: "Retro PCs" },
        { name: "newer", label: "Newer PCs" },
      ],
      machines: [
        { id: 1, group: "retro" },
        { id: 11, group: "newer" },
        { id: 12, group: "newer" },
      ],
    };
    expect(pcsOfGroup(view, "newer").map((m) => m.id)).toEqual([11, 12]);
    expect(knownGroup(view, "retro").label).toBe("Retro PCs");
    expect(() => pcsOfGroup(view, "Newer")).toThrow('no PC group "Newer"; the groups: retro, newer');
  });
});

describe("a stored demo room from before its groups", () => {
  it("keeps the PCs whose disk did not change, sets up the Newer PCs afresh on their own master (added to the store), and says so", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { createSimHost } = await import("@/lib/host/sim/demo-room");
    const dir = mkdtempSync(path.join(tmpdir(), "cowherd-adopt-"));
    const env = { COWHERD_SIM_STEP_MS: "0", COWHERD_SIM_SCENARIO: "fresh" };
    const { groups: _g, ...oneGroup } = demoConfig();
    const before = parseConfig({ ...oneGroup, machines: oneGroup.machines.map(({ group: _x, ...m }) => m) });
    const after = parseConfig(demoConfig());
    const log: string[] = [];
    try {
      const old = createSimHost(before, "local", dir, env);
      await old.ready;
      expect(old.kernel.exists("/store/win7.img")).toBe(false);
      old.write(3, 8192);
      old.write(12, 8192);
      old.persist();
      old.close();

      const now = createSimHost(after, "local", dir, env, (l) => log.push(l));
      await now.ready;
      try {
        expect(now.kernel.exists("/store/win7.img")).toBe(true);
        expect(now.usedBytes(3)).toBeGreaterThanOrEqual(8192 * 512); // same master, same COW: its state kept
        expect(now.usedBytes(12)).toBeLessThan(8192 * 512); // a new disk over the Newer PCs' master
        expect(now.kernel.snapshotUsage("retrocow12")!.totalSectors).toBe(400 * 2048);
        expect(log.join("\n")).toMatch(/kept the state of 10 PC\(s\).*dropped 4: retro-11 127\.0\.0\.51 \(id 11 is now retro-11 127\.0\.0\.51\)/);
        const [r12] = await now.reset([12]);
        expect(r12).toMatchObject({ ok: true, outcome: "fresh" });
      } finally {
        now.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
