import type { Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { pcScript, type PcBoot } from "@/lib/boot/ipxe";
import { configSchema } from "@/lib/config/schema";
import { createHttpServer } from "@/lib/server/http-server";
import { get, listen } from "../helpers/http";
import { testRuntime } from "../helpers/runtime";

const pc: PcBoot = {
  name: "retro-05",
  ip: "10.0.0.45",
  host: "local",
  initiatorIqn: "iqn.2010-01.lan.retrolan:initiator:retro-05",
  sanUri: "iscsi:10.0.0.2::3260:1:iqn.2010-01.lan.retrolan:retrocow5",
  keepSan: true,
  failedPath: "/boot/failed",
};
const lines = (s: string) => s.split("\n");

describe("gateway clearing before sanboot (iPXE issue 1599)", () => {
  it("is off by default: the script does not touch the gateway", () => {
    const c = configSchema.parse({ machines: [{ id: 1, name: "pc1", ip: "10.0.0.41", dmName: "retrocow1" }] });
    expect(c.ipxe.clearGateway).toBe(false);
    for (const s of [pcScript(pc), pcScript({ ...pc, clearGateway: false })]) expect(s).not.toMatch(/gateway/);
  });

  it("when on, clears the boot interface's gateway right before sanboot and gives it back before reporting a failure", () => {
    const l = lines(pcScript({ ...pc, clearGateway: true }));
    const boot = l.indexOf(`sanboot ${pc.sanUri} || goto failed`);
    expect(l[boot - 1]).toBe("set netX/gateway 0.0.0.0");
    expect(l[boot - 2]).toBe("set keep-san 1");
    const failed = l.indexOf(":failed");
    expect(failed).toBe(boot + 1);
    expect(l[failed + 1]).toBe("clear netX/gateway");
    expect(l[failed + 2]).toMatch(/^chain \/boot\/failed\?step=sanboot/);
    // Only there: nothing else changes.
    expect(l.filter((x) => /gateway/.test(x))).toHaveLength(2);
    expect(l.filter((x) => !/gateway/.test(x))).toEqual(lines(pcScript(pc)));
  });

  it("rejects a non-boolean in the config", () => {
    expect(() => configSchema.parse({ machines: [{ id: 1, name: "pc1", ip: "10.0.0.41", dmName: "retrocow1" }], ipxe: { clearGateway: "yes" } })).toThrow();
  });
});

describe("the boot route with ipxe.clearGateway", () => {
  let server: Server | undefined;
  let cleanup: (() => void) | undefined;
  afterEach(async () => {
    if (server) await new Promise((r) => server!.close(r));
    cleanup?.();
  });

  it("answers the PC a script that clears its gateway before sanboot", async () => {
    const ctx = await testRuntime({}, { ipxe: { clearGateway: true } });
    cleanup = ctx.cleanup;
    server = createHttpServer(ctx.rt, async (_req, res) => void res.end("next"));
    const port = await listen(server);
    const r = await get(port, "/boot/ipxe", { from: "127.0.0.45", headers: { "user-agent": "iPXE/1.21.1+ (g4bd064de)" } });
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/\nset netX\/gateway 0\.0\.0\.0\nsanboot iscsi:\S+ \|\| goto failed\n:failed\nclear netX\/gateway\nchain /);
  });
});
