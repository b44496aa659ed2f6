import type { Server } from "node:http";
import { NextRequest } from "next/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as resetPost } from "@/app/api/machines/[id]/reset/route";
import { DELETE as pendingDelete } from "@/app/api/machines/[id]/pending-reset/route";
import { POST as bulkPost } from "@/app/api/resets/route";
import { GET as bootsGet } from "@/app/api/boots/route";
import { errnoMeaning, pcScript } from "@/lib/boot/ipxe";
import { createHttpServer } from "@/lib/server/http-server";
import { get, listen } from "../helpers/http";
import { adminCookie, call } from "../helpers/routes";
import { testRuntime } from "../helpers/runtime";

let ctx: Awaited<ReturnType<typeof testRuntime>>;
let server: Server;
let port: number;

beforeEach(async () => {
  ctx = await testRuntime({}, { ipxe: { keepSan: false, offlineAfterSeconds: 0, bootTimeoutSeconds: 10 } });
  server = createHttpServer(ctx.rt, async (_req, res) => void res.end("next"));
  port = await listen(server);
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  ctx.cleanup();
});

/** A PC's iSCSI session as the target lists it. */
function session(id: number, on: boolean, nexus = "7") {
  ctx.sim.setMachine(id, { online: on });
  const orig = ctx.sim.status.bind(ctx.sim);
  ctx.sim.status = async () => {
    const s = await orig();
    for (const m of s.machines) if (m.id === id) m.initiators = m.initiators.map((i) => ({ ...i, session: nexus }));
    return s;
  };
}
/** A request as iPXE on that PC makes it (its User-Agent). */
const ipxe = (from: string, headers: Record<string, string> = {}) => ({ from, headers: { "user-agent": "iPXE/1.21.1+ (g4bd064de)", ...headers } });
const observe = async () => {
  ctx.rt.room.invalidate("local");
  ctx.rt.bootTracker.observe(await ctx.rt.room.read());
};

describe("the iPXE boot script", () => {
  it("is the caller's own: its initiator name, its target over its storage host's portal, and where to report a failure", async () => {
    const r = await get(port, "/boot/ipxe", ipxe("127.0.0.45"));
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^text\/plain/);
    expect(r.body).toBe(
      pcScript({
        name: "retro-05",
        ip: "127.0.0.45",
        host: "local",
        initiatorIqn: "iqn.2010-01.lan.retrolan:initiator:retro-05",
        // A local host's target is where the PC reached Cowherd; tgt serves disks on LUN 1.
        sanUri: "iscsi:127.0.0.1::3260:1:iqn.2010-01.lan.retrolan:retrocow5",
        keepSan: false,
        failedPath: "/boot/failed",
      }),
    );
    expect(r.body).toMatch(/^#!ipxe\n/);
    expect(r.body).toContain("set keep-san 0\nsanboot iscsi:127.0.0.1::3260:1:iqn.2010-01.lan.retrolan:retrocow5 || goto failed\n");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: iPXE's own ${errno}, expanded on the PC
    expect(r.body).toContain("chain /boot/failed?step=sanboot&errno=${errno} || goto unreachable\nexit\n:unreachable");
    // Fetching it starts a recorded boot.
    expect(ctx.rt.bootTracker.info(5).state).toBe("booting");
    expect(ctx.rt.boots.list({ page: 1, pageSize: 5 }).rows[0]).toMatchObject({ machineId: 5, result: "booting" });
  });

  it("tells a caller that is not a PC why, and stops; HEAD and POST change nothing", async () => {
    const r = await get(port, "/boot/ipxe", ipxe("127.0.0.1"));
    expect(r.status).toBe(403);
    expect(r.body).toMatch(/^#!ipxe\necho Cowherd: this machine \(127\.0\.0\.1\) is not one of the PCs of RetroLAN \(demo\)/);
    expect(r.body).toMatch(/\nexit 1\n$/);
    expect(r.body).not.toMatch(/sanboot/);
    expect((await get(port, "/boot/ipxe", { from: "127.0.0.45", method: "HEAD" })).status).toBe(200);
    expect((await get(port, "/boot/ipxe", { from: "127.0.0.45", method: "POST" })).status).toBe(405);
    expect(ctx.rt.boots.list({ page: 1, pageSize: 5 }).total).toBe(0);
  });

  it("follows a boot: booting, online once a session of this boot appears (not a stale one), off when it is gone", async () => {
    session(3, true, "41"); // a session left over from before (the PC lost power)
    await observe();
    expect(ctx.rt.bootTracker.info(3).state).toBe("online");
    await get(port, "/boot/ipxe", ipxe("127.0.0.43"));
    await observe();
    expect(ctx.rt.bootTracker.info(3).state).toBe("booting"); // the old session does not count
    session(3, true, "42"); // its new login
    await observe();
    expect(ctx.rt.bootTracker.info(3).state).toBe("online");
    expect(ctx.rt.boots.list({ machineId: 3, page: 1, pageSize: 1 }).rows[0]).toMatchObject({ result: "ok" });
    session(3, false);
    await observe();
    expect(ctx.rt.bootTracker.info(3).state).toBe("off");
  });

  it("records a failed boot with iPXE's error in words and answers a screen message that retries", async () => {
    await get(port, "/boot/ipxe", ipxe("127.0.0.44"));
    const r = await get(port, "/boot/failed?step=sanboot&errno=0x0e0a6003", ipxe("127.0.0.44"));
    expect(r.body).toMatch(/^#!ipxe\n/);
    expect(r.body).toContain("echo Cowherd: retro-04 could NOT boot from its disk.");
    expect(r.body).toContain("Error 0x0e0a6003: connection refused: is the iSCSI target (tgtd) running on the storage host? (see http://ipxe.org/0e0a6003)");
    expect(r.body).toMatch(/sleep 60\nchain \/boot\/ipxe\n$/);
    expect(ctx.rt.boots.list({ machineId: 4, page: 1, pageSize: 1 }).rows[0]).toMatchObject({
      result: "failed",
      failedStep: "sanboot",
      error: expect.stringMatching(/^0x0e0a6003: connection refused/),
    });
    expect(ctx.rt.bootTracker.info(4).state).toBe("off");
    const view = await ctx.rt.machinesView();
    expect(view.machines[3]!.boot.last).toMatchObject({ result: "failed", failedStep: "sanboot" });
    // Garbage is neither echoed nor trusted.
    const bad = await get(port, "/boot/failed?step=x;reboot&errno=$(id)", ipxe("127.0.0.44"));
    expect(bad.body).not.toMatch(/reboot|\$\(id\)/);
  });

  it("a system that hands control back (INT 18h: ECANCELED) has ended, not failed", async () => {
    expect(errnoMeaning(0x0b072095)).toEqual({ returned: true, meaning: expect.any(String) });
    await get(port, "/boot/ipxe", ipxe("127.0.0.46"));
    const r = await get(port, "/boot/failed?step=sanboot&errno=0x0b072095", ipxe("127.0.0.46"));
    expect(r.body).toBe("#!ipxe\necho Cowherd: retro-06's system has ended (it returned to the boot loader).\nexit\n");
    expect(ctx.rt.boots.list({ machineId: 6, page: 1, pageSize: 1 }).rows[0]).toMatchObject({ result: "returned" });
  });

  it("a boot that never logs in is a failed boot after the timeout", async () => {
    let now = Date.now();
    const tracker = ctx.rt.bootTracker as unknown as { now: () => number };
    tracker.now = () => now;
    await get(port, "/boot/ipxe", ipxe("127.0.0.47"));
    now += 11_000;
    await observe();
    expect(ctx.rt.boots.list({ machineId: 7, page: 1, pageSize: 1 }).rows[0]).toMatchObject({
      result: "failed",
      failedStep: "login",
      error: "no iSCSI login within 10 s",
    });
  });
});

describe("resetting a PC that is up", () => {
  let cookie: string;
  beforeEach(async () => {
    cookie = await adminCookie();
    session(2, true);
    await observe();
  });

  it("is refused with 409 machine-online and a message offering the next boot or force; nothing runs", async () => {
    const r = await call(resetPost, { method: "POST", params: { id: "2" }, cookie });
    expect(r.status).toBe(409);
    expect(r.json.error).toMatchObject({
      code: "machine-online",
      message: expect.stringMatching(/retro-02 is running .* Reset it at its next boot instead .* force the reset/),
    });
    expect(ctx.rt.history.list({ page: 1, pageSize: 5 }).total).toBe(0);
  });

  it("a POST with no body, as fetch and curl send it (Next still hands the route a body stream), is the plain reset", async () => {
    for (const headers of [{ "content-length": "0" }, {}]) {
      const req = new NextRequest("http://localhost:3000/api/machines/2/reset", {
        method: "POST",
        headers: { origin: "http://localhost:3000", cookie, ...headers },
        body: new ReadableStream({ start: (c) => c.close() }),
        duplex: "half",
      } as ConstructorParameters<typeof NextRequest>[1]);
      const r = await resetPost(req, { params: Promise.resolve({ id: "2" }) });
      expect(r.status).toBe(409);
    }
  });

  it("'reset at next boot' marks it; its boot script resets it before sanboot (source boot); cancellable", async () => {
    const r = await call(resetPost, { method: "POST", params: { id: "2" }, cookie, body: { whenOnline: "next-boot" } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ job: null, nextBoot: [2] });
    expect((await ctx.rt.machinesView()).machines[1]!.pendingReset).toMatchObject({ requestedBy: "admin" });
    // Cancel and mark again.
    expect((await call(pendingDelete, { method: "DELETE", params: { id: "2" }, cookie })).status).toBe(200);
    expect((await call(pendingDelete, { method: "DELETE", params: { id: "2" }, cookie })).status).toBe(404);
    await call(resetPost, { method: "POST", params: { id: "2" }, cookie, body: { whenOnline: "next-boot" } });
    ctx.sim.write(2, 20_000);
    session(2, false);
    const script = await get(port, "/boot/ipxe", ipxe("127.0.0.42"));
    expect(script.body).toContain("echo Cowherd: reset to a clean disk first (reset at next boot)");
    expect(ctx.rt.history.list({ page: 1, pageSize: 5 }).rows[0]).toMatchObject({ machineId: 2, source: "boot", requestedBy: "admin", result: "ok" });
    expect((await ctx.sim.status()).machines[1]!.usedSectors).toBe(128);
    expect(ctx.rt.boots.pending().has(2)).toBe(false);
    const boots = await call(bootsGet, { url: "/api/boots?machine=2", cookie });
    expect(boots.json.boots[0]).toMatchObject({ machineId: 2, resetId: expect.any(Number) });
  });

  describe("a PC marked for a reset at its next boot", () => {
    beforeEach(async () => {
      await call(resetPost, { method: "POST", params: { id: "2" }, cookie, body: { whenOnline: "next-boot" } });
      ctx.sim.write(2, 20_000);
    });
    const used = async () => (await ctx.sim.status()).machines[1]!.usedSectors;
    const notReset = async (body: string) => {
      expect(ctx.rt.history.list({ page: 1, pageSize: 5 }).total).toBe(0);
      expect(await used()).toBeGreaterThan(20_000);
      expect(ctx.rt.boots.pending().has(2)).toBe(true);
      expect(body).not.toContain("reset to a clean disk first");
    };

    it("while it runs, a browser's GET of its boot script (an <img> on a page opened on it) resets nothing and starts no boot", async () => {
      for (const headers of [
        {
          "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0",
          "sec-fetch-dest": "image",
          "sec-fetch-mode": "no-cors",
          "sec-fetch-site": "cross-site",
        },
        { "user-agent": "iPXE/1.21.1", "sec-fetch-site": "cross-site" }, // a User-Agent is easy to claim; a browser still says Sec-Fetch
        {},
      ] as Record<string, string>[]) {
        const r = await get(port, "/boot/ipxe", { from: "127.0.0.42", headers });
        expect(r.status).toBe(200);
        await notReset(r.body);
      }
      await observe();
      expect(ctx.rt.bootTracker.info(2).state).toBe("online");
      expect(ctx.rt.boots.list({ page: 1, pageSize: 5 }).total).toBe(0);
    });

    it("iPXE's fetch while another initiator has its disk open: the reset waits, the mark stays with the reason", async () => {
      const orig = ctx.sim.status.bind(ctx.sim);
      ctx.sim.status = async () => {
        const s = await orig();
        s.machines[1]!.initiators = [{ iqn: "iqn.2026-01.lan.admin:inspector", ip: "127.0.0.99", session: "9" }];
        return s;
      };
      ctx.rt.room.invalidate("local");
      const r = await get(port, "/boot/ipxe", ipxe("127.0.0.42"));
      await notReset(r.body);
      expect(r.body).toContain("echo Cowherd: its reset at next boot waits: its disk is in use by another session");
      expect(ctx.rt.boots.pending().get(2)!.lastError).toMatch(/in use \(iqn\.2026-01\.lan\.admin:inspector from 127\.0\.0\.99\)/);
    });

    it("iPXE's fetch of a PC that lost power (its last life's session still listed in the target) resets it first", async () => {
      ctx.rt.room.invalidate("local");
      const r = await get(port, "/boot/ipxe", ipxe("127.0.0.42"));
      expect(r.body).toContain("echo Cowherd: reset to a clean disk first (reset at next boot)");
      expect(await used()).toBe(128);
      expect(ctx.rt.boots.pending().has(2)).toBe(false);
      // Its repeat within the boot is counted, and does not reset again.
      await get(port, "/boot/ipxe", ipxe("127.0.0.42"));
      expect(ctx.rt.history.list({ page: 1, pageSize: 5 }).total).toBe(1);
      expect(ctx.rt.boots.list({ page: 1, pageSize: 5 }).rows).toEqual([expect.objectContaining({ machineId: 2, repeats: 1, resetId: expect.any(Number) })]);
    });
  });

  it("force resets it now", async () => {
    const r = await call(resetPost, { method: "POST", params: { id: "2" }, cookie, body: { whenOnline: "force" } });
    expect(r.status).toBe(202);
    expect((await ctx.rt.orchestrator.wait(r.json.job.id)).machines[0]!.ok).toBe(true);
  });

  it("'reset all before the event': the offline PCs now, the online ones at their next boot, and says which is which", async () => {
    const r = await call(bulkPost, { body: { machines: "all", whenOnline: "next-boot" }, cookie });
    expect(r.status).toBe(202);
    expect(r.json.nextBoot).toEqual([2]);
    expect(r.json.job.machines.map((m: { id: number }) => m.id)).toEqual([1, ...Array.from({ length: 12 }, (_, i) => i + 3)]);
    await ctx.rt.orchestrator.wait(r.json.job.id);
    const plain = await call(bulkPost, { body: { machines: [1, 2] }, cookie });
    expect(plain.json.online).toEqual([2]);
    expect(plain.json.job.machines.map((m: { id: number }) => m.id)).toEqual([1]);
  });
});
