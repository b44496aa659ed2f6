import { afterEach, describe, expect, it } from "vitest";
import { GET as imagesGet } from "@/app/api/images/route";
import { POST as updatePost } from "@/app/api/images/update/route";
import { POST as publishPost } from "@/app/api/images/publish/route";
import { POST as discardPost } from "@/app/api/images/discard/route";
import { POST as currentPost } from "@/app/api/images/current/route";
import { DELETE as versionDelete } from "@/app/api/images/versions/[n]/route";
import { POST as resetPost } from "@/app/api/machines/[id]/reset/route";
import { POST as resetsPost } from "@/app/api/resets/route";
import type { ImageOp } from "@/lib/host/images";
import type { ImagesView } from "@/lib/images/image-service";
import { adminCookie, call } from "../helpers/routes";
import { spyOnResets, testRuntime } from "../helpers/runtime";

let ctx: Awaited<ReturnType<typeof testRuntime>> | undefined;
afterEach(() => ctx?.cleanup());

// The demo room: two groups, "retro" (retro-01..10) and "newer"; with COWHERD_SIM_GAMEDISK=1 the Retro PCs have a game disk.

/** A runtime with a game disk on the demo room's group, recording every image step sent to its (simulated) helper. */
async function gameRoom() {
  ctx = await testRuntime({ COWHERD_SIM_GAMEDISK: "1" });
  const rt = ctx.rt;
  const ops: ImageOp[] = [];
  const image = ctx.sim.image.bind(ctx.sim);
  ctx.sim.image = (op, onStep) => {
    ops.push(op);
    return image(op, onStep);
  };
  return { rt, ops, admin: await adminCookie() };
}

const images = async (admin: string) => {
  ctx!.rt.room.invalidate("local");
  return (await call(imagesGet, { cookie: admin, url: "/api/images" })).json as ImagesView;
};

describe("image versions per disk", () => {
  it("a group with a game disk gets a second section with its own versions; steps with disk game go to the game disk (line <group>-game)", async () => {
    const { admin, ops, rt } = await gameRoom();
    let v = await images(admin);
    expect(v.hosts.map((h) => [h.group, h.disk, h.current, h.error])).toEqual([
      ["retro", "system", 1, null],
      ["retro", "game", 1, null],
      ["newer", "system", 1, null],
    ]);
    // Update mode of the game disk on PC 4, published with a comment: the game disk moves to v2, the system disk stays on v1.
    let r = await call(updatePost, { cookie: admin, url: "/api/images/update", body: { machine: 4, disk: "game", comment: "new maps" } });
    expect(r.status, r.text).toBeLessThan(300);
    await rt.images.settle();
    v = await images(admin);
    expect(v.hosts.find((h) => h.disk === "game")!.draft).toMatchObject({ n: 2, machine: 4, comment: "new maps" });
    expect(v.hosts.find((h) => h.group === "retro" && h.disk === "system")!.draft).toBeNull();
    r = await call(publishPost, { cookie: admin, url: "/api/images/publish", body: { group: "retro", disk: "game" } });
    expect(r.status).toBe(200);
    v = await images(admin);
    expect(v.hosts.map((h) => [h.group, h.disk, h.current])).toEqual([
      ["retro", "system", 1],
      ["retro", "game", 2],
      ["newer", "system", 1],
    ]);
    expect(v.hosts.find((h) => h.disk === "game")!.versions.find((x) => x.n === 2)).toMatchObject({ current: true, comment: "new maps", author: "admin" });
    expect(v.hosts.find((h) => h.group === "retro" && h.disk === "system")!.versions.map((x) => x.n)).toEqual([1]);
    // Roll the game disk back; delete its v2; a discard with no draft is refused in words.
    expect((await call(currentPost, { cookie: admin, url: "/api/images/current", body: { version: 1, group: "retro", disk: "game" } })).status).toBe(200);
    expect(
      (await call(versionDelete, { cookie: admin, method: "DELETE", url: "/api/images/versions/2?group=retro&disk=game", params: { n: "2" } })).status,
    ).toBe(200);
    expect((await call(discardPost, { cookie: admin, url: "/api/images/discard", body: { group: "retro", disk: "game" } })).status).toBe(409);
    expect(ops).toEqual([
      { op: "update", machine: 4, disk: "game" },
      { op: "publish", group: "retro", disk: "game" },
      { op: "current", version: 1, group: "retro", disk: "game" },
      { op: "delete", version: 2, group: "retro", disk: "game" },
      { op: "discard", group: "retro", disk: "game" },
    ]);
    v = await images(admin);
    expect(v.hosts.find((h) => h.disk === "game")!.current).toBe(1);
    expect(v.log.map((l) => [l.action, l.disk, l.line, l.result])).toEqual([
      ["discard", "game", "retro-game", "refused"],
      ["delete", "game", "retro-game", "ok"],
      ["current", "game", "retro-game", "ok"],
      ["publish", "game", "retro-game", "ok"],
      ["update", "game", "retro-game", "ok"],
    ]);
    // The game version's comment is on the game line: the system disk's v2 (when it comes) starts without one.
    expect(rt.db.prepare("SELECT line, n, comment FROM image_versions").all()).toEqual([{ line: "retro-game", n: 2, comment: "new maps" }]);
  });

  it("a room without a game disk: one section per group, and disk game is a 400 naming the group, nothing sent", async () => {
    ctx = await testRuntime();
    const admin = await adminCookie();
    const v = (await call(imagesGet, { cookie: admin, url: "/api/images" })).json as ImagesView;
    expect(v.hosts.map((h) => [h.group, h.disk])).toEqual([
      ["retro", "system"],
      ["newer", "system"],
    ]);
    const sent: ImageOp[] = [];
    ctx.sim.image = async (op) => {
      sent.push(op);
      throw new Error("must not be reached");
    };
    for (const [handler, url, body] of [
      [publishPost, "/api/images/publish", { group: "retro", disk: "game" }],
      [discardPost, "/api/images/discard", { group: "retro", disk: "game" }],
      [currentPost, "/api/images/current", { version: 1, group: "retro", disk: "game" }],
      [updatePost, "/api/images/update", { machine: 3, disk: "game" }],
    ] as const) {
      const r = await call(handler as typeof publishPost, { cookie: admin, url, body });
      expect(r.status, url).toBe(400);
      expect(r.json.error.message).toMatch(/Retro PCs|retro/);
      expect(r.json.error.message).toMatch(/no game disk/);
    }
    const d = await call(versionDelete, { cookie: admin, method: "DELETE", url: "/api/images/versions/1?group=retro&disk=game", params: { n: "1" } });
    expect(d.status).toBe(400);
    // Only "game" names a disk here: "system" or anything else is a bad body.
    const bad = await call(publishPost, { cookie: admin, url: "/api/images/publish", body: { group: "retro", disk: "system" } });
    expect(bad.status).toBe(400);
    expect(sent).toEqual([]);
    expect(ctx.rt.db.prepare("SELECT COUNT(*) AS n FROM image_log").get()).toEqual({ n: 0 });
  });
});

describe("resets of one disk through the API", () => {
  it("disk game for a PC without a game disk, or with next-boot: 400, nothing reset", async () => {
    ctx = await testRuntime();
    const admin = await adminCookie();
    const resets = spyOnResets(ctx.sim);
    let r = await call(resetPost, { cookie: admin, url: "/api/machines/3/reset", params: { id: "3" }, body: { disk: "game" } });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/^retro-03 has no game disk/);
    r = await call(resetsPost, { cookie: admin, url: "/api/resets", body: { machines: [2, 3], disk: "game" } });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/^retro-02, retro-03 have no game disk/);
    r = await call(resetPost, { cookie: admin, url: "/api/machines/3/reset", params: { id: "3" }, body: { disk: "system", whenOnline: "next-boot" } });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/cannot wait for the next boot/);
    r = await call(resetPost, { cookie: admin, url: "/api/machines/3/reset", params: { id: "3" }, body: { disk: "both" } });
    expect(r.status).toBe(400);
    expect(resets).not.toHaveBeenCalled();
    expect(ctx.rt.boots.pending().size).toBe(0);
  });
});
