import { afterEach, describe, expect, it } from "vitest";
import { GET as imagesGet } from "@/app/api/images/route";
import { POST as updatePost } from "@/app/api/images/update/route";
import { POST as publishPost } from "@/app/api/images/publish/route";
import { POST as discardPost } from "@/app/api/images/discard/route";
import { POST as currentPost } from "@/app/api/images/current/route";
import { DELETE as versionDelete } from "@/app/api/images/versions/[n]/route";
import { POST as resetPost } from "@/app/api/machines/[id]/reset/route";
import { POST as resetsPost } from "@/app/api/resets/route";
import type { HostImages, ImageOp } from "@/lib/host/images";
import type { ImagesView } from "@/lib/images/image-service";
import type { ConfigInput } from "@/lib/config/schema";
import { adminCookie, call } from "../helpers/routes";
import { spyOnResets, testRuntime } from "../helpers/runtime";

let ctx: Awaited<ReturnType<typeof testRuntime>> | undefined;
afterEach(() => ctx?.cleanup());

const GAME_GROUP = { groups: [{ name: "retro", label: "Retro PCs", gameDisk: { master: "/srv/cowherd/games.img" } }] } as unknown as Partial<ConfigInput>;

/** The game disk's versions as a helper with game disks reports them (the simulated one does not yet). */
const gameImages = (current: number): HostImages => ({
  group: "retro",
  disk: "game",
  current,
  keep: 3,
  draft: null,
  versions: [1, 2].map((n) => ({ n, sizeBytes: 2 << 30, createdAt: 1_700_000_000_000 + n, machines: n === current ? [1, 2] : [], attached: n === current })),
});

/**
 * A runtime whose host also reports a game disk line and records every image step it is sent
 * (answering with the game versions for a game step, the simulator's for a system step).
 */
async function gameRoom() {
  ctx = await testRuntime({}, GAME_GROUP);
  const rt = ctx.rt;
  const ops: ImageOp[] = [];
  let current = 1;
  const read = rt.room.read.bind(rt.room);
  rt.room.read = async () =>
    (await read()).map((r) => ({
      ...r,
      status: r.status && { ...r.status, groups: [...(r.status.groups ?? (r.status.images ? [r.status.images] : [])), gameImages(current)] },
    }));
  const image = ctx.sim.image.bind(ctx.sim);
  ctx.sim.image = async (op, onStep) => {
    ops.push(op);
    if (op.disk !== "game") return image(op, onStep);
    if (op.op === "current") current = op.version;
    return gameImages(current);
  };
  return { rt, ops, admin: await adminCookie() };
}

describe("image versions per disk", () => {
  it("a group with a game disk gets a second section, with its own versions and its own notes (line <group>-game)", async () => {
    const { admin, ops, rt } = await gameRoom();
    let v = (await call(imagesGet, { cookie: admin, url: "/api/images" })).json as ImagesView;
    expect(v.hosts.map((h) => [h.group, h.disk, h.current])).toEqual([
      ["retro", "system", 1],
      ["retro", "game", 1],
    ]);
    // Make v2 of the game disk current: the host is sent disk "game", the log row is on the game line.
    const r = await call(currentPost, { cookie: admin, url: "/api/images/current", body: { version: 2, disk: "game" } });
    expect(r.status).toBe(200);
    expect(ops).toEqual([{ op: "current", version: 2, group: "retro", disk: "game" }]);
    v = (await call(imagesGet, { cookie: admin, url: "/api/images" })).json as ImagesView;
    expect(v.hosts.find((h) => h.disk === "game")!.current).toBe(2);
    expect(v.hosts.find((h) => h.disk === "system")!.current).toBe(1);
    const rows = rt.db.prepare("SELECT line, action, n, result FROM image_log").all();
    expect(rows).toEqual([{ line: "retro-game", action: "current", n: 2, result: "ok" }]);

    // The same steps without `disk` stay the system disk's (its line '' on storage.master).
    await call(publishPost, { cookie: admin, url: "/api/images/publish", body: { disk: "game", comment: "new maps" } });
    await call(discardPost, { cookie: admin, url: "/api/images/discard", body: { disk: "game" } });
    await call(versionDelete, { cookie: admin, method: "DELETE", url: "/api/images/versions/1?disk=game", params: { n: "1" } });
    await call(updatePost, { cookie: admin, url: "/api/images/update", body: { machine: 4, disk: "game" } });
    await rt.images.settle();
    expect(ops.slice(1)).toEqual([
      { op: "publish", group: "retro", disk: "game" },
      { op: "discard", group: "retro", disk: "game" },
      { op: "delete", version: 1, group: "retro", disk: "game" },
      { op: "update", machine: 4, disk: "game" },
    ]);
    expect(
      new Set(
        rt.db
          .prepare("SELECT line FROM image_log")
          .all()
          .map((x) => (x as { line: string }).line),
      ),
    ).toEqual(new Set(["retro-game"]));
    // The published game version's comment is on the game line, not on the system disk's v-number.
    expect(rt.db.prepare("SELECT line, n, comment FROM image_versions").all()).toEqual([{ line: "retro-game", n: 2, comment: "new maps" }]);
  });

  it("a room without a game disk: one section per group, and disk game is a 400 naming the group, nothing sent", async () => {
    ctx = await testRuntime();
    const admin = await adminCookie();
    const v = (await call(imagesGet, { cookie: admin, url: "/api/images" })).json as ImagesView;
    expect(v.hosts.map((h) => h.disk)).toEqual(["system"]);
    const sent: ImageOp[] = [];
    ctx.sim.image = async (op) => {
      sent.push(op);
      throw new Error("must not be reached");
    };
    for (const [handler, url, body] of [
      [publishPost, "/api/images/publish", { disk: "game" }],
      [discardPost, "/api/images/discard", { disk: "game" }],
      [currentPost, "/api/images/current", { version: 1, disk: "game" }],
      [updatePost, "/api/images/update", { machine: 3, disk: "game" }],
    ] as const) {
      const r = await call(handler as typeof publishPost, { cookie: admin, url, body });
      expect(r.status, url).toBe(400);
      expect(r.json.error.message).toMatch(/group default has no game disk|group \S+ has no game disk/);
    }
    const d = await call(versionDelete, { cookie: admin, method: "DELETE", url: "/api/images/versions/1?disk=game", params: { n: "1" } });
    expect(d.status).toBe(400);
    // Only "game" names a disk here: "system" or anything else is a bad body.
    const bad = await call(publishPost, { cookie: admin, url: "/api/images/publish", body: { disk: "system" } });
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
