import { copyFileSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { beforeEach, describe, expect, it } from "vitest";
import { ImageRepo } from "@/lib/db/images";
import { migrate, migrationsDir } from "@/lib/db/migrate";
import { Storage } from "@/helper/storage/storage";
import { parseConfig } from "@/lib/config/load";
import type { ConfigInput } from "@/lib/config/schema";
import { groupUpdateTarget, UPDATE_TID } from "@/lib/host/images";
import { SimKernel } from "@/lib/host/sim/kernel/kernel";

const MiB = 1048576;

/** Two groups: "retro" on storage.master (PCs 1, 2) and "newer" on its own master (PCs 3, 4), own COW size. */
const input: ConfigInput = {
  host: "real",
  groups: [
    { name: "retro", label: "Retro PCs" },
    { name: "newer", master: "/store/win7.img", keepVersions: 2, defaults: { cowSizeMiB: 24, mode: "PO" } },
  ],
  machines: [
    { id: 1, name: "pc1", ip: "10.0.0.41", dmName: "retrocow1", group: "retro" },
    { id: 2, name: "pc2", ip: "10.0.0.42", dmName: "retrocow2" },
    { id: 3, name: "pc3", ip: "10.0.0.43", dmName: "retrocow3", group: "newer" },
    { id: 4, name: "pc4", ip: "10.0.0.44", dmName: "retrocow4", group: "newer", cowSizeMiB: 32 },
  ],
  defaults: { cowSizeMiB: 16, chunkSectors: 8, mode: "P" },
  storage: { master: "/store/master.img", cowDir: "/store", iqnPrefix: "iqn.2026-11.test.cowherd", reserveMiB: 64 },
};

describe("groups in the config", () => {
  it("a config without groups has one, default, on storage.master, holding every PC", () => {
    const { groups: _none, ...plain } = input;
    const c = parseConfig({ ...plain, machines: plain.machines.map(({ group: _g, ...m }) => m) });
    expect(c.groups).toEqual([{ name: "default", label: "All PCs", master: "/store/master.img", imageDir: "/store", keepVersions: 3 }]);
    expect(c.machines.map((m) => m.group)).toEqual(["default", "default", "default", "default"]);
  });

  it("a PC takes its group's defaults (its own keys win), and a PC without a group is in the first", () => {
    const c = parseConfig(input);
    expect(c.machines.map((m) => [m.id, m.group, m.cowSizeMiB, m.mode, m.chunkSectors])).toEqual([
      [1, "retro", 16, "P", 8],
      [2, "retro", 16, "P", 8],
      [3, "newer", 24, "PO", 8],
      [4, "newer", 32, "PO", 8],
    ]);
    expect(c.groups.map((g) => [g.name, g.label, g.master, g.keepVersions])).toEqual([
      ["retro", "Retro PCs", "/store/master.img", 3],
      ["newer", "newer", "/store/win7.img", 2],
    ]);
  });

  it("refuses an unknown group, a duplicate name, two groups on one master and version files that would collide", () => {
    const bad = (patch: Partial<ConfigInput>) => () => parseConfig({ ...input, ...patch });
    expect(bad({ machines: [{ id: 1, name: "pc1", ip: "10.0.0.41", dmName: "retrocow1", group: "modern" }] })).toThrow(
      /machines\.0\.group: no group named modern in groups \(groups: retro, newer\)/,
    );
    expect(bad({ groups: [{ name: "retro" }, { name: "retro", master: "/store/b.img" }] })).toThrow(/groups\.1\.name: duplicate group name retro/);
    expect(bad({ groups: [{ name: "retro" }, { name: "newer" }] })).toThrow(/groups\.1\.master: group retro has the same master \/store\/master.img/);
    expect(bad({ groups: [{ name: "retro" }, { name: "newer", master: "/other/master.img", imageDir: "/store" }] })).toThrow(
      /groups\.1\.master: group retro's versions would have the same file names \(\/store\/master\.v<n>\.img\)/,
    );
  });

  it("each group has its own update target; the group on storage.master keeps the one from before groups", () => {
    const t = groupUpdateTarget("iqn.x.y", "newer");
    expect(t.iqn).toBe("iqn.x.y:update-newer");
    expect(t.tid).toBeGreaterThan(UPDATE_TID);
    expect(t.tid).toBeLessThan(10_000);
    // From the name alone: the same whatever the list's order.
    expect(groupUpdateTarget("iqn.x.y", "newer")).toEqual(t);
  });
});

describe("groups on a storage host: each its own master and versions", () => {
  let fake: SimKernel;
  let host: Storage;
  const config = parseConfig(input);
  const majMin = (file: string) => `7:${fake.loops.find((l) => l.backFile === file)!.name.replace("/dev/loop", "")}`;

  beforeEach(async () => {
    fake = new SimKernel();
    fake.addFile("/store/master.img", 64 * MiB);
    fake.addFile("/store/win7.img", 96 * MiB);
    host = new Storage({
      config,
      run: fake.runner,
      fs: fake.fs,
      dm: fake.worker,
      stateDir: "/run/cowherd",
      libDir: "/var/lib/cowherd-helper",
      pid: 100,
      lockWaitMs: 300,
    });
    const up = await host.up([1, 2, 3, 4]);
    expect(up.every((r) => r.ok)).toBe(true);
  });

  it("up builds each PC over its own group's master, with its group's COW size", async () => {
    expect(fake.dm.get("retrocow1")!.live).toContain(`snapshot ${majMin("/store/master.img")} `);
    expect(fake.dm.get("retrocow3")!.live).toContain(`snapshot ${majMin("/store/win7.img")} `);
    expect(fake.dm.get("retrocow3")!.live).toMatch(/ PO 8$/);
    expect([1, 3, 4].map((id) => fake.files.get(`/store/retrocow${id}.cow`)!.size / MiB)).toEqual([16, 24, 32]);
    const st = await host.status();
    expect(st.machines.map((m) => [m.id, m.version, m.state, m.problem])).toEqual([
      [1, 1, "ok", undefined],
      [2, 1, "ok", undefined],
      [3, 1, "ok", undefined],
      [4, 1, "ok", undefined],
    ]);
  });

  it("update mode and publish in one group move only its PCs at their reset; the other group is untouched; each keeps its own state file", async () => {
    await host.imageUpdate(3, () => undefined);
    // The draft is on the group's own update target, exported to PC 3 only.
    const { iqn } = groupUpdateTarget("iqn.2026-11.test.cowherd", "newer");
    expect(fake.targets.get(groupUpdateTarget("iqn.2026-11.test.cowherd", "newer").tid)?.iqn).toBe(iqn);
    await expect(host.imageUpdate(1, () => undefined)).resolves.toBeDefined(); // retro's own update, side by side
    await host.imageDiscard("retro");
    await host.imagePublish("newer");
    expect(fake.files.has("/store/win7.v2.img")).toBe(true);
    const reports = await host.reset([1, 3, 4], () => undefined);
    expect(reports.map((r) => [r.id, r.ok])).toEqual([
      [1, true],
      [3, true],
      [4, true],
    ]);
    expect(fake.dm.get("retrocow3")!.live).toContain(`snapshot ${majMin("/store/win7.v2.img")} `);
    expect(fake.dm.get("retrocow1")!.live).toContain(`snapshot ${majMin("/store/master.img")} `);
    const st = await host.status();
    expect(st.machines.map((m) => [m.id, m.version])).toEqual([
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 2],
    ]);
    expect(st.groups!.map((g) => [g.group, g.current, g.versions.map((v) => [v.n, v.machines])])).toEqual([
      ["retro", 1, [[1, [1, 2]]]],
      [
        "newer",
        2,
        [
          [1, []],
          [2, [3, 4]],
        ],
      ],
    ]);
    expect(st.images).toEqual(st.groups![0]);
    const retro = JSON.parse(fake.files.get("/var/lib/cowherd-helper/images.json")!.text!);
    const newer = JSON.parse(fake.files.get("/var/lib/cowherd-helper/images-newer.json")!.text!);
    expect([retro.current, Object.keys(retro.pcs)]).toEqual([1, ["1", "2"]]);
    expect([newer.current, newer.pcs]).toEqual([2, { "3": 2, "4": 2 }]);
    // Rollback in one group only.
    await host.imageCurrent(1, "newer");
    await host.reset([4], () => undefined);
    expect(fake.dm.get("retrocow4")!.live).toContain(`snapshot ${majMin("/store/win7.img")} `);
    await expect(host.imageCurrent(1, "modern")).rejects.toMatchObject({ message: "no group modern in the helper's config (groups: retro, newer)" });
  });
});

describe("the image-lines migration", () => {
  it("keeps every version note and log row as the group on storage.master's (line ''), and another group's notes are its own", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mig-"));
    const all = readdirSync(migrationsDir()).filter((f) => f.endsWith(".sql"));
    for (const f of all.filter((f) => f < "2026-12-03-0300")) copyFileSync(path.join(migrationsDir(), f), path.join(dir, f));
    const db = new Database(":memory:");
    migrate(db, dir);
    db.prepare("INSERT INTO image_versions (host, n, comment, author, created_at) VALUES ('local', 2, 'drivers', 'admin', 5)").run();
    db.prepare("INSERT INTO image_log (host, action, n, actor, comment, started_at, result) VALUES ('local', 'update', 2, 'admin', 'drivers', 4, 'ok')").run();
    for (const f of all) copyFileSync(path.join(migrationsDir(), f), path.join(dir, f));
    // The image-lines migration runs next (later ones may follow it).
    expect(migrate(db, dir)[0]).toBe("2026-12-03-0300-image-lines.sql");
    const repo = new ImageRepo(db);
    expect(repo.notes("local", "").get(2)).toEqual({ comment: "drivers", author: "admin", createdAt: 5 });
    expect(repo.updateComment("local", "", 2)).toBe("drivers");
    repo.setNote("local", "newer", 2, { comment: "win7 sp1", author: "admin" }, 9);
    expect(repo.notes("local", "newer").get(2)?.comment).toBe("win7 sp1");
    expect(repo.notes("local", "").get(2)?.comment).toBe("drivers");
    expect(repo.updateComment("local", "newer", 2)).toBeNull();
  });
});

describe("groups through the API (the simulated room, two groups)", () => {
  it("each group's versions are their own: update and publish in one, the other untouched; an operation without a group asks which", async () => {
    const { testRuntime } = await import("../helpers/runtime");
    const { adminCookie, call } = await import("../helpers/routes");
    const { GET: imagesGet } = await import("@/app/api/images/route");
    const { POST: updatePost } = await import("@/app/api/images/update/route");
    const { POST: publishPost } = await import("@/app/api/images/publish/route");
    const { GET: machinesGet } = await import("@/app/api/machines/route");
    const { demoConfig } = await import("@/lib/config/demo");
    const machines = demoConfig().machines.map((m) => ({ ...m, group: m.id <= 10 ? "retro" : "newer" }));
    const ctx = await testRuntime(
      {},
      {
        groups: [
          { name: "retro", label: "Retro PCs" },
          { name: "newer", label: "Newer PCs", master: "/store/win7.img" },
        ],
        machines,
      },
    );
    try {
      const admin = await adminCookie();
      let r = await call(updatePost, { cookie: admin, url: "/api/images/update", body: { machine: 12, comment: "win7 sp1" } });
      expect(r.status).toBeLessThan(300);
      await ctx.rt.images.settle();
      r = await call(publishPost, { cookie: admin, url: "/api/images/publish" });
      expect([r.status, r.json.error.message]).toEqual([400, "Say which PC group: retro, newer (each has its own image versions)"]);
      r = await call(publishPost, { cookie: admin, url: "/api/images/publish", body: { group: "newer" } });
      expect(r.status).toBe(200);
      const im = (await call(imagesGet, { cookie: admin, url: "/api/images" })).json as import("@/lib/images/image-service").ImagesView;
      expect(im.hosts.map((h) => [h.group, h.groupLabel, h.current, h.versions.map((v) => [v.n, v.comment])])).toEqual([
        ["retro", "Retro PCs", 1, [[1, "the master image as it was"]]],
        [
          "newer",
          "Newer PCs",
          2,
          [
            [1, "the master image as it was"],
            [2, "win7 sp1"],
          ],
        ],
      ]);
      await ctx.rt.orchestrator.wait(ctx.rt.orchestrator.submit([3, 13], { source: "dashboard", requestedBy: "admin" }).id);
      ctx.rt.room.invalidate("local");
      const v = (await call(machinesGet, { cookie: admin, url: "/api/machines" })).json as import("@/lib/status/machines-view").MachinesView;
      expect([3, 13].map((id) => v.machines.find((m) => m.id === id)!.image)).toEqual([
        { version: 1, current: 1, update: null },
        { version: 2, current: 2, update: null },
      ]);
    } finally {
      ctx.cleanup();
    }
  });
});
