import { createSocket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { magicPacket, Waker } from "@/lib/wol/wake";
import { parseConfig } from "@/lib/config/load";
import { demoConfig } from "@/lib/config/demo";

/** A Wake-on-LAN receiver on loopback: every packet with the time it came. */
async function receiver() {
  const sock = createSocket("udp4");
  const got: { at: number; mac: string; size: number; from: string }[] = [];
  sock.on("message", (msg, rinfo) => got.push({ at: Date.now(), mac: [...msg.subarray(6, 12)].map((b) => b.toString(16).padStart(2, "0")).join(":"), size: msg.length, from: rinfo.address }));
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  return { port: sock.address().port, got, close: () => sock.close() };
}

describe("Wake-on-LAN", () => {
  let close = () => undefined as void;
  afterEach(() => close());

  it("a magic packet is six 0xFF bytes and the MAC sixteen times (102 bytes)", () => {
    const p = magicPacket("52:54:00:AB:cd:07");
    expect(p).toHaveLength(102);
    expect([...p.subarray(0, 6)]).toEqual([255, 255, 255, 255, 255, 255]);
    for (let i = 0; i < 16; i++) expect(p.subarray(6 + i * 6, 12 + i * 6).toString("hex")).toBe("525400abcd07");
    expect(() => magicPacket("52:54:00:ab:cd")).toThrow(/not a MAC/);
  });

  it("sends staggered batches to the configured address and port; a PC without a MAC is named, not skipped silently", async () => {
    const rx = await receiver();
    close = rx.close;
    const base = demoConfig();
    const config = parseConfig({ ...base, machines: base.machines.map((m) => (m.id === 6 ? { ...m, mac: undefined } : m)), wol: { broadcast: "127.0.0.1", port: rx.port, batchSize: 2, intervalSeconds: 0.3 } });
    const heard: number[] = [];
    const waker = new Waker(config, (id) => heard.push(id));
    const { job, done } = waker.start([1, 2, 3, 4, 5, 6], { batchSize: 2, intervalMs: 300 }, "admin");
    expect(job.machines.find((m) => m.id === 6)).toMatchObject({ state: "no-mac", error: "retro-06 has no MAC address in the config (machines[].mac)" });
    const finished = await done;
    await new Promise((r) => setTimeout(r, 50));
    expect(finished.machines.filter((m) => m.state === "sent").map((m) => m.id)).toEqual([1, 2, 3, 4, 5]);
    expect(heard).toEqual([1, 2, 3, 4, 5]);
    expect(rx.got.map((g) => g.mac)).toEqual(["52:54:00:00:00:01", "52:54:00:00:00:02", "52:54:00:00:00:03", "52:54:00:00:00:04", "52:54:00:00:00:05"]);
    expect(rx.got.every((g) => g.size === 102 && g.from === "127.0.0.1")).toBe(true);
    // three batches (2, 2, 1), at least 300 ms apart (a lower bound only: a busy machine may be later)
    const at = finished.machines.filter((m) => m.state === "sent").map((m) => m.sentAt!);
    expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(290);
    expect(at[4]! - at[2]!).toBeGreaterThanOrEqual(290);
    expect(waker.get(job.id)!.finishedAt).not.toBeNull();
  });

  it("the simulated room boots the PCs it hears, after their boot time; a PC whose card does not answer stays off", async () => {
    const { testRuntime } = await import("../helpers/runtime");
    const rx = await receiver();
    const t = await testRuntime({ COWHERD_SIM_BOOT_MS: "100", COWHERD_SIM_WOL_PORT: String(rx.port) });
    close = () => (rx.close(), t.cleanup());
    t.sim.setMachine(9, { wol: false });
    const { done } = t.rt.waker.start([8, 9], { batchSize: 10, intervalMs: 0 }, "admin");
    await done;
    // It boots through the boot route (a boot recorded) and logs in on the activity's next tick.
    for (let i = 0; i < 60 && !t.sim.sessionOpen(8); i++) await new Promise((r) => setTimeout(r, 50));
    const st = await t.sim.status();
    expect(st.machines.find((m) => m.id === 8)!.online).toBe(true);
    expect(st.machines.find((m) => m.id === 9)!.online).toBe(false);
    expect(t.rt.boots.latestByMachine().get(8)?.machineName).toBe("retro-08");
    expect(t.rt.boots.latestByMachine().has(9)).toBe(false);
    expect(rx.got.map((g) => g.mac)).toEqual(["52:54:00:00:00:08", "52:54:00:00:00:09"]);
  });
});
