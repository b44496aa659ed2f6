import type { Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GET as imagesGet } from "@/app/api/images/route";
import { POST as updatePost } from "@/app/api/images/update/route";
import { POST as publishPost } from "@/app/api/images/publish/route";
import { POST as discardPost } from "@/app/api/images/discard/route";
import { POST as currentPost } from "@/app/api/images/current/route";
import { DELETE as versionDelete } from "@/app/api/images/versions/[n]/route";
import { GET as machinesGet } from "@/app/api/machines/route";
import { pcScript } from "@/lib/boot/ipxe";
import { createHttpServer } from "@/lib/server/http-server";
import type { ImagesView } from "@/lib/images/image-service";
import type { MachinesView } from "@/lib/status/machines-view";
import { get, listen } from "../helpers/http";
import { adminCookie, call } from "../helpers/routes";
import { errorShape, testRuntime } from "../helpers/runtime";

// The demo room has two PC groups: these image steps are the Retro PCs' (retro-01..10), named in each request.
let ctx: Awaited<ReturnType<typeof testRuntime>>;
let admin: string;

beforeEach(async () => {
  // The demo room without its game disk: these are the system disk's versions and boot script (the game disk's: game-images.test.ts).
  ctx = await testRuntime();
  admin = await adminCookie();
});
afterEach(() => ctx.cleanup());

const images = async () => (await call(imagesGet, { cookie: admin, url: "/api/images" })).json as ImagesView;
const view = async () => {
  ctx.rt.room.invalidate("local");
  return (await call(machinesGet, { cookie: admin, url: "/api/machines" })).json as MachinesView;
};
/** Update mode on a PC, waited for (the simulated copy takes no time in tests). */
async function update(machine: number, comment?: string) {
  const r = await call(updatePost, { cookie: admin, url: "/api/images/update", body: { machine, ...(comment ? { comment } : {}) } });
  await ctx.rt.images.settle();
  return r;
}

describe("master image versions through the API (simulated host)", () => {
  it("update → publish with a comment → PCs move at their next reset → rollback; history and audit record each step", async () => {
    let r = await update(3, "Windows updates + new game patch");
    expect(r.status).toBeLessThan(300);
    let im = (await images()).hosts[0]!;
    expect(im.draft).toMatchObject({ n: 2, machine: 3, machineName: "retro-03", state: "ready", comment: "Windows updates + new game patch" });
    let v = await view();
    expect(v.machines.find((m) => m.id === 3)!.image).toEqual({ version: 1, current: 1, update: { n: 2, state: "ready" } });

    r = await call(publishPost, { cookie: admin, url: "/api/images/publish", body: { group: "retro" } });
    expect(r.status).toBe(200);
    im = (await images()).hosts[0]!;
    expect(im.current).toBe(2);
    expect(im.versions.map((x) => [x.n, x.current, x.comment, x.author])).toEqual([
      [1, false, "the master image as it was", null],
      [2, true, "Windows updates + new game patch", "admin"],
    ]);
    v = await view();
    expect(v.machines.find((m) => m.id === 4)!.image).toEqual({ version: 1, current: 2, update: null });

    await ctx.rt.orchestrator.wait(ctx.rt.orchestrator.submit([4], { source: "dashboard", requestedBy: "admin" }).id);
    v = await view();
    expect(v.machines.find((m) => m.id === 4)!.image).toMatchObject({ version: 2, current: 2 });
    expect(v.machines.find((m) => m.id === 5)!.image).toMatchObject({ version: 1, current: 2 });

    // Deleting v1 while PCs sit on it, or the current v2, is refused in words.
    r = await call(versionDelete, { cookie: admin, method: "DELETE", url: "/api/images/versions/1?group=retro", params: { n: "1" } });
    expect(r.status).toBe(409);
    expect(r.json.error).toMatchObject({
      code: "image-refused",
      message: expect.stringMatching(/^storage host local: v1 is in use by PCs 1, 2, 3, 5, .*: they move off it at their next reset$/),
    });
    r = await call(versionDelete, { cookie: admin, method: "DELETE", url: "/api/images/versions/2?group=retro", params: { n: "2" } });
    expect(r.json.error.message).toMatch(/v2 is the current version/);

    r = await call(currentPost, { cookie: admin, url: "/api/images/current", body: { group: "retro", version: 1 } });
    expect(r.status).toBe(200);
    await ctx.rt.orchestrator.wait(ctx.rt.orchestrator.submit([4], { source: "dashboard", requestedBy: "admin" }).id);
    expect((await view()).machines.find((m) => m.id === 4)!.image).toMatchObject({ version: 1, current: 1 });

    const log = (await images()).log;
    expect(log.map((l) => [l.action, l.n, l.result, l.actor])).toEqual([
      ["current", 1, "ok", "admin"],
      ["delete", 2, "refused", "admin"],
      ["delete", 1, "refused", "admin"],
      ["publish", 2, "ok", "admin"],
      ["update", 2, "ok", "admin"],
    ]);
    const audit = ctx.rt.audit.list({ page: 1, pageSize: 50 }).rows.filter((a) => a.action.startsWith("image."));
    expect(audit.map((a) => [a.action, a.outcome])).toEqual([
      ["image.current", "ok"],
      ["image.delete", "denied"],
      ["image.delete", "denied"],
      ["image.publish", "ok"],
      ["image.update", "ok"],
    ]);
    expect(audit.find((a) => a.action === "image.publish")!.detail).toBe('published v2 as current "Windows updates + new game patch"');
  });

  it("refusals: a second update, publish or discard with no draft, publish while the update PC is connected", async () => {
    let r = await call(publishPost, { cookie: admin, url: "/api/images/publish", body: { group: "retro" } });
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject(errorShape);
    expect(r.json.error.message).toMatch(/no update in progress to publish/);
    await update(2);
    r = await update(3);
    expect(r.status).toBe(409);
    expect(r.json.error.message).toMatch(/already in progress \(v2 on PC 2, ready\)/);
    ctx.sim.setUpdateSession(true);
    ctx.rt.room.invalidate("local");
    r = await call(publishPost, { cookie: admin, url: "/api/images/publish", body: { group: "retro", comment: "x" } });
    expect(r.json.error.message).toMatch(/retro-02 is still connected to the update target \(v2\): shut it down first, then publish/);
    ctx.sim.setUpdateSession(false);
    r = await call(discardPost, { cookie: admin, url: "/api/images/discard", body: { group: "retro" } });
    expect(r.status).toBe(200);
    expect((await images()).hosts[0]!.draft).toBeNull();
  });

  it("update mode on a PC that is up is refused with 409 machine-online, nothing started; an admin's force: true starts it", async () => {
    ctx.sim.setMachine(2, { online: true });
    const orig = ctx.sim.status.bind(ctx.sim);
    ctx.sim.status = async () => {
      const s = await orig();
      for (const m of s.machines) if (m.id === 2) m.initiators = m.initiators.map((i) => ({ ...i, session: "7" }));
      return s;
    };
    ctx.rt.room.invalidate("local");
    ctx.rt.bootTracker.observe(await ctx.rt.room.read());
    let r = await update(2, "while it runs");
    expect(r.status).toBe(409);
    expect(r.json.error).toMatchObject({
      code: "machine-online",
      message: expect.stringMatching(/retro-02 is running .*Shut it down first, or, if nobody is using it, force update mode/),
    });
    expect((await images()).hosts[0]!.draft).toBeNull();
    expect((await images()).log).toHaveLength(0);
    expect(ctx.rt.audit.list({ page: 1, pageSize: 5 }).rows[0]).toMatchObject({ action: "image.update", outcome: "denied", target: "retro-02" });
    expect((await call(updatePost, { cookie: admin, url: "/api/images/update", body: { machine: 2, force: "yes" } })).status).toBe(400);
    r = await call(updatePost, { cookie: admin, url: "/api/images/update", body: { machine: 2, force: true } });
    await ctx.rt.images.settle();
    expect(r.status).toBeLessThan(300);
    expect((await images()).hosts[0]!.draft).toMatchObject({ machine: 2 });
    expect(ctx.rt.audit.list({ page: 1, pageSize: 5 }).rows[0]).toMatchObject({
      action: "image.update",
      outcome: "ok",
      detail: expect.stringMatching(/, forced$/),
    });
    // a PC that is down needs no force
    r = await call(discardPost, { cookie: admin, url: "/api/images/discard", body: { group: "retro" } });
    expect((await update(5)).status).toBeLessThan(300);
  });

  it("bad input changes nothing: unknown PC, bad version, comments with control characters, viewers", async () => {
    expect((await update(99)).status).toBe(404);
    expect((await call(updatePost, { cookie: admin, url: "/api/images/update", body: { machine: 1, comment: "a\nb" } })).status).toBe(400);
    expect((await call(currentPost, { cookie: admin, url: "/api/images/current", body: { version: "1; rm" } })).status).toBe(400);
    expect((await call(versionDelete, { cookie: admin, method: "DELETE", url: "/api/images/versions/x", params: { n: "x" } })).status).toBe(400);
    await ctx.rt.users.create("viewer1", "viewer-password-1", "viewer");
    expect((await call(imagesGet, { url: "/api/images" })).status).toBe(401);
    expect((await images()).log).toEqual([]);
  });

  it("a copy that fails is a failed step in the log, and leaves no draft", async () => {
    ctx.sim.injectFault(6, "image-copy", 1, "simulated disk error");
    const r = await update(6);
    // A failed copy is a failed step: the log says so and no draft is left.
    expect(r.status).toBe(502);
    expect(r.json.error.message).toMatch(/simulated disk error/);
    expect((await images()).hosts[0]!.draft).toBeNull();
    expect((await images()).log[0]).toMatchObject({ action: "update", result: "failed", error: expect.stringMatching(/simulated disk error/) });
  });
});

describe("the update PC's boot script", () => {
  let server: Server;
  let port: number;
  beforeEach(async () => {
    server = createHttpServer(ctx.rt, async (_req, res) => void res.end("next"));
    port = await listen(server);
  });
  afterEach(() => new Promise((r) => server.close(r)));

  it("sanboots the update target while the draft is ready and says so on its screen; the other PCs boot their own disks", async () => {
    await update(5);
    ctx.rt.room.invalidate("local");
    const r = await get(port, "/boot/ipxe", { from: "127.0.0.45", headers: { "user-agent": "iPXE/1.21.1" } });
    expect(r.body).toBe(
      pcScript({
        name: "retro-05",
        ip: "127.0.0.45",
        host: "local",
        initiatorIqn: "iqn.2010-01.lan.retrolan:initiator:retro-05",
        sanUri: "iscsi:127.0.0.1::3260:1:iqn.2010-01.lan.retrolan:update",
        keepSan: true,
        failedPath: "/boot/failed",
        updateOf: 2,
      }),
    );
    expect(r.body).toContain("boots in UPDATE MODE: the draft of master image v2 on storage host local, read-write");
    expect(r.body).toContain("sanboot iscsi:127.0.0.1::3260:1:iqn.2010-01.lan.retrolan:update || goto failed");
    expect((await get(port, "/boot/ipxe", { from: "127.0.0.46", headers: { "user-agent": "iPXE/1.21.1" } })).body).toContain(
      "sanboot iscsi:127.0.0.1::3260:1:iqn.2010-01.lan.retrolan:retrocow6 ",
    );
    await call(discardPost, { cookie: admin, url: "/api/images/discard", body: { group: "retro" } });
    ctx.rt.room.invalidate("local");
    expect((await get(port, "/boot/ipxe", { from: "127.0.0.45", headers: { "user-agent": "iPXE/1.21.1" } })).body).toContain(":retrocow5 || goto failed");
  });
});
