import { createSocket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { magicPacket, MAX_WAKE_JOBS, Waker } from "@/lib/wol/wake";
import { AppError } from "@/lib/api/errors";
import { parseConfig } from "@/lib/config/load";
import { demoConfig } from "@/lib/config/demo";

/** UDP sockets open in this process right now (the receiver's among them). */
const udpSockets = () => process.getActiveResourcesInfo().filter((r) => r === "UDPWrap").length;

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return { status: e.status, code: e.code, message: e.message, details: e.details };
    throw e;
  }
  throw new Error("not refused");
};

/** A Wake-on-LAN receiver on loopback: every packet with the time it came. */
async function receiver() {
  const sock = createSocket("udp4");
  const got: { at: number; mac: string; size: number; from: string }[] = [];
  sock.on("message", (msg, rinfo) =>
    got.push({ at: Date.now(), mac: [...msg.subarray(6, 12)].map((b) => b.toString(16).padStart(2, "0")).join(":"), size: msg.length, from: rinfo.address }),
  );
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  return { port: sock.address().port, got, close: () => sock.close() };
}

describe("Wake-on-LAN", () => {
  let close: () => void = () => {};
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
    const config = parseConfig({
      ...base,
      machines: base.machines.map((m) => (m.id === 6 ? { ...m, mac: undefined } : m)),
      wol: { broadcast: "127.0.0.1", port: rx.port, batchSize: 2, intervalSeconds: 0.3 },
    });
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

  it("one wake job per PC at a time: a PC in a running job is left out with the reason, and a job with nothing left to send is refused (409)", async () => {
    const rx = await receiver();
    close = rx.close;
    const config = parseConfig({ ...demoConfig(), wol: { broadcast: "127.0.0.1", port: rx.port } });
    const waker = new Waker(config);
    const first = waker.start([1, 2, 3], { batchSize: 1, intervalMs: 400 }, "admin");
    // While it runs (its first packet sent, the others waiting), PCs 1–3 belong to it.
    const second = waker.start([3, 4], { batchSize: 10, intervalMs: 0 }, "admin");
    expect(second.job.machines).toEqual([
      expect.objectContaining({ id: 3, state: "busy", error: `retro-03 is already being woken (wake job ${first.job.id}): left out of this one` }),
      expect.objectContaining({ id: 4, state: "queued", error: null }),
    ]);
    const r = refusal(() => waker.start([1, 2], { batchSize: 10, intervalMs: 0 }, "admin"));
    expect(r).toMatchObject({
      status: 409,
      code: "wake-in-progress",
      message: "retro-01, retro-02 are already being woken: nothing sent. Follow the running wake job, or wait for it to finish.",
    });
    await Promise.all([first.done, second.done]);
    await new Promise((res) => setTimeout(res, 50));
    // Each PC got exactly one packet: 1, 2 and 3 from the first job, 4 from the second.
    expect(rx.got.map((g) => g.mac).sort()).toEqual(["52:54:00:00:00:01", "52:54:00:00:00:02", "52:54:00:00:00:03", "52:54:00:00:00:04"]);
    // Once it has finished, the PCs can be woken again.
    const again = waker.start([1, 2], { batchSize: 10, intervalMs: 0 }, "admin");
    expect(again.job.machines.map((m) => m.state)).toEqual(["queued", "queued"]);
    await again.done;
  });

  it("at most so many wake jobs run at once: one more is refused with 429 and a Retry-After", async () => {
    expect(MAX_WAKE_JOBS).toBeGreaterThanOrEqual(2);
    const rx = await receiver();
    close = rx.close;
    const config = parseConfig({ ...demoConfig(), wol: { broadcast: "127.0.0.1", port: rx.port } });
    const waker = new Waker(config, undefined, undefined, 3);
    const running = [
      [1, 2],
      [3, 4],
      [5, 6],
    ].map((ids) => waker.start(ids, { batchSize: 1, intervalMs: 1500 }, "admin"));
    const r = refusal(() => waker.start([7, 8], { batchSize: 1, intervalMs: 0 }, "admin"));
    expect(r).toMatchObject({ status: 429, code: "rate_limited", message: "3 wake jobs are already running (at most 3 at a time): wait for one to finish." });
    expect((r.details as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await Promise.all(running.map((j) => j.done));
    const later = waker.start([7, 8], { batchSize: 2, intervalMs: 0 }, "admin");
    expect((await later.done).machines.map((m) => m.state)).toEqual(["sent", "sent"]);
  });

  it("holds a socket only while a batch is being sent, not while it waits for the next batch", async () => {
    const rx = await receiver();
    close = rx.close;
    const config = parseConfig({ ...demoConfig(), wol: { broadcast: "127.0.0.1", port: rx.port } });
    const waker = new Waker(config);
    await new Promise((res) => setTimeout(res, 50)); // earlier tests' sockets are gone
    const idle = udpSockets(); // the receiver's
    const { done } = waker.start([1, 2], { batchSize: 1, intervalMs: 1500 }, "admin");
    await expect.poll(() => rx.got.length, { timeout: 1000 }).toBe(1);
    // Between batches: the first batch's socket is closed (a loose bound, well inside the 1.5 s wait).
    await expect.poll(udpSockets, { timeout: 700 }).toBe(idle);
    expect((await done).finishedAt).not.toBeNull();
    await new Promise((res) => setTimeout(res, 50));
    expect(udpSockets()).toBe(idle);
    expect(rx.got).toHaveLength(2);
  });

  it("the wake route: a PC already being woken is named in the job, 409 when none is left, 429 with Retry-After beyond the cap", async () => {
    const { testRuntime } = await import("../helpers/runtime");
    const { adminCookie, call } = await import("../helpers/routes");
    const { POST: wakePost } = await import("@/app/api/wake/route");
    const rx = await receiver();
    const t = await testRuntime({ COWHERD_SIM_WOL_PORT: String(rx.port), COWHERD_SIM_BOOT_MS: "50" });
    close = () => (rx.close(), t.cleanup());
    const cookie = await adminCookie();
    const wake = (machines: number[]) => call(wakePost, { body: { machines, batchSize: 1, intervalSeconds: 2 }, cookie });
    expect((await wake([1, 2])).status).toBe(202);
    const second = await wake([2, 3]);
    expect(second.status).toBe(202);
    expect(second.json.job.machines.map((m: { state: string }) => m.state)).toEqual(["busy", "queued"]);
    const again = await wake([1, 2, 3]);
    expect(again.status).toBe(409);
    expect(again.json).toEqual({
      error: {
        code: "wake-in-progress",
        message: "retro-01, retro-02, retro-03 are already being woken: nothing sent. Follow the running wake job, or wait for it to finish.",
      },
    });
    for (const ids of [
      [4, 5],
      [6, 7],
    ])
      expect((await wake(ids)).status).toBe(202);
    const over = await wake([8, 9]);
    expect(over.status).toBe(429);
    expect(over.json.error).toMatchObject({
      code: "rate_limited",
      message: `${MAX_WAKE_JOBS} wake jobs are already running (at most ${MAX_WAKE_JOBS} at a time): wait for one to finish.`,
    });
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });
});
