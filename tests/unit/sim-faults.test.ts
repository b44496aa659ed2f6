import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "@/lib/config/load";
import { demoConfig } from "@/lib/config/demo";
import { createSimHost } from "@/lib/host/sim/demo-room";
import { FAULT_STEPS, parseFaultSpec } from "@/lib/host/sim/sim-faults";

// COWHERD_SIM_FAIL injects at the simulated kernel's operations; what it cannot inject is a start-up error.
const config = parseConfig(demoConfig());
const ids = new Set(config.machines.map((m) => m.id));

describe("COWHERD_SIM_FAIL", () => {
  it("takes id:step[:count|*] for the steps the kernel can fail", () => {
    expect(parseFaultSpec("3:dm-load, 5:dm-resume:*,10:dm-create:2", ids)).toEqual([
      { id: 3, step: "dm-load", times: 1 },
      { id: 5, step: "dm-resume", times: Infinity },
      { id: 10, step: "dm-create", times: 2 },
    ]);
  });

  it("an unknown step is refused, naming the steps that can fail; so is a PC the room does not have", () => {
    expect(() => parseFaultSpec("10:dm-explode", ids)).toThrow(ConfigError);
    expect(() => parseFaultSpec("10:dm-explode", ids)).toThrow(`no step "dm-explode" (the steps that can fail: ${FAULT_STEPS.join(", ")})`);
    expect(() => parseFaultSpec("99:dm-load", ids)).toThrow(/there is no PC 99 in the room/);
    expect(() => parseFaultSpec("x:dm-load", ids)).toThrow(/bad entry "x:dm-load"/);
  });

  it("is a start-up error of the simulated host, before anything is made", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cowherd-faults-"));
    try {
      expect(() => createSimHost(config, "local", dir, { COWHERD_SIM_FAIL: "10:dm-explode" })).toThrow(ConfigError);
      expect(() => createSimHost(config, "local", dir, { COWHERD_SIM_INIT: '{"3":{"helth":"invalid"}}' })).toThrow(/PC 3: no condition helth/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a fault at the kernel fails that PC's step through the helper's own code", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cowherd-faults-"));
    const host = createSimHost(config, "local", dir, { COWHERD_SIM_FAIL: "4:dm-load", COWHERD_SIM_STEP_MS: "0", COWHERD_SIM_SCENARIO: "fresh" });
    try {
      await host.ready;
      const [r4, r5] = await host.reset([4, 5]);
      expect(r4).toMatchObject({ ok: false, failedStep: "dm-load", error: "simulated failure in dm-load", outcome: "fresh" });
      expect(r5).toMatchObject({ ok: true, outcome: "fresh" });
      // 7:0 is the Retro PCs' master, 7:1 the Newer PCs' (the demo room's two groups); retro-04's COW is 7:5.
      expect(host.kernel.mutations()).toContain("worker load retrocow4 0 8388608 snapshot 7:0 7:5 P 64");
    } finally {
      host.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("COWHERD_SIM_INIT's conditions are kernel state, staged after the agent's start-up repair (which would mend a half state)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cowherd-init-"));
    const init = { "3": { health: "invalid" }, "5": { suspended: true }, "6": { exported: false }, "9": { table: "error" }, "4": { fraction: 0.5 } };
    const host = createSimHost(config, "local", dir, { COWHERD_SIM_INIT: JSON.stringify(init), COWHERD_SIM_STEP_MS: "0", COWHERD_SIM_SCENARIO: "fresh" });
    try {
      await host.ready;
      const pc = new Map((await host.status()).machines.map((m) => [m.id, m]));
      expect(pc.get(3)).toMatchObject({ state: "invalid" });
      expect(pc.get(5)).toMatchObject({ state: "ok", suspended: true });
      expect(pc.get(6)).toMatchObject({ state: "ok", exported: false });
      expect(pc.get(9)).toMatchObject({ state: "unknown" });
      expect(pc.get(4)!.usedSectors! / pc.get(4)!.totalSectors!).toBeCloseTo(0.5, 2);
      expect(pc.get(1)).toMatchObject({ state: "ok", usedSectors: 128, suspended: false, exported: true });
    } finally {
      host.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a step holding a colon parses (recover:dm-load); COWHERD_SIM_INIT refuses an unknown PC and bad values", () => {
    expect(parseFaultSpec("4:recover:dm-load,4:recover:dm-resume:2", ids)).toEqual([
      { id: 4, step: "recover:dm-load", times: 1 },
      { id: 4, step: "recover:dm-resume", times: 2 },
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), "cowherd-init-"));
    try {
      expect(() => createSimHost(config, "local", dir, { COWHERD_SIM_INIT: '{"99":{"online":true}}' })).toThrow(/there is no PC 99 in the room/);
      expect(() => createSimHost(config, "local", dir, { COWHERD_SIM_INIT: '{"3":{"health":"dead"}}' })).toThrow(
        /PC 3: health must be "ok", "invalid" or "overflow", not "dead"/,
      );
      expect(() => createSimHost(config, "local", dir, { COWHERD_SIM_INIT: '{"3":{"fraction":"lots"}}' })).toThrow(
        /PC 3: fraction must be a number from 0 to 1/,
      );
      expect(() => createSimHost(config, "local", dir, { COWHERD_SIM_STORE_MIB: "5000" })).toThrow(
        "COWHERD_SIM_STORE_MIB=5000 is too small for local's room: it needs at least 12816 MiB (2 groups' masters of 4096 MiB, 14 COWs, the 1024 MiB reserve)",
      );
      expect(() => createSimHost(config, "local", dir, { COWHERD_SIM_STORE_MIB: "lots" })).toThrow(/whole number of MiB, not "lots"/);
      expect(() => createSimHost(config, "local", dir, { COWHERD_SIM_DOWN: "store-z" })).toThrow(
        "COWHERD_SIM_DOWN: there is no storage host store-z (the hosts: local)",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the PC in update mode boots from the update target: its session is there, and publish is refused while it is up", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cowherd-update-"));
    const host = createSimHost(config, "local", dir, { COWHERD_SIM_STEP_MS: "0", COWHERD_SIM_SCENARIO: "fresh" });
    try {
      await host.ready;
      expect((await host.image({ op: "update", machine: 2 })).draft).toMatchObject({ machine: 2, state: "ready", online: false });
      host.setSession(2, true);
      expect(host.sessionOpen(2)).toBe(true);
      expect((await host.status()).images!.draft).toMatchObject({ machine: 2, online: true });
      await expect(host.image({ op: "publish" })).rejects.toThrow(/still connected to the update target/);
      host.setSession(2, false);
      expect(host.sessionOpen(2)).toBe(false);
      expect((await host.image({ op: "publish" })).current).toBe(2);
    } finally {
      host.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a PC made deaf to Wake-on-LAN (COWHERD_SIM_INIT wol:false) stays deaf after a restart on the same data", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cowherd-wol-"));
    const env = { COWHERD_SIM_STEP_MS: "0", COWHERD_SIM_SCENARIO: "fresh", COWHERD_SIM_INIT: '{"4":{"wol":false}}' } as const;
    try {
      const first = createSimHost(config, "local", dir, env);
      await first.ready;
      expect([first.answersWol(4), first.answersWol(5)]).toEqual([false, true]);
      first.close();
      // COWHERD_SIM_INIT applies to a fresh room only: the second start reads the file.
      const again = createSimHost(config, "local", dir, env);
      await again.ready;
      expect([again.answersWol(4), again.answersWol(5)]).toEqual([false, true]);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
