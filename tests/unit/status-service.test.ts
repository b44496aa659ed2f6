import { describe, expect, it } from "vitest";
import { StatusService } from "@/lib/status/status-service";
import type { Host, HostStatus } from "@/lib/host/types";

/** A host that only answers status reads, as `status` says; everything else is not used here. */
function hostWith(status: Host["status"], health: Host["health"] = () => ({ state: "up", since: 0 })): Host {
  const unused = async (): Promise<never> => {
    throw new Error("not used");
  };
  return { name: "local", kind: "agent", health, close: () => undefined, image: unused, grow: unused, reset: unused, status };
}

function countingHost(delayMs = 5) {
  let reads = 0;
  const host = hostWith(async () => {
    const n = ++reads;
    await new Promise((r) => setTimeout(r, delayMs));
    return { readAt: n, machines: [] };
  });
  return { host, reads: () => reads };
}

describe("single-flight status", () => {
  it("shares one read among 200 concurrent callers", async () => {
    const h = countingHost();
    const s = new StatusService(h.host, 1000);
    const results = await Promise.all(Array.from({ length: 200 }, () => s.get()));
    expect(h.reads()).toBe(1);
    expect(s.reads).toBe(1);
    expect(new Set(results.map((r) => r.readAt)).size).toBe(1);
  });

  it("serves from cache within the TTL and reads again after it", async () => {
    let now = 0;
    const h = countingHost(0);
    const s = new StatusService(h.host, 1000, () => now);
    await s.get();
    now = 999;
    await s.get();
    expect(h.reads()).toBe(1);
    now = 1000;
    await s.get();
    expect(h.reads()).toBe(2);
  });

  it("after invalidate, callers get a new read instead of joining the older one in flight (and so do the older one's)", async () => {
    const h = countingHost(10);
    const s = new StatusService(h.host, 1000);
    const old = s.get();
    s.invalidate();
    const fresh = await s.get();
    expect(fresh.readAt).toBe(2);
    expect((await old).readAt).toBe(2);
    expect(h.reads()).toBe(2);
  });

  it("does not cache a failed read", async () => {
    let fail = true;
    const host = hostWith(async () => {
      if (fail) throw new Error("dmsetup gone");
      return { readAt: 1, machines: [] };
    });
    let now = 100;
    const s = new StatusService(host, 1000, () => now);
    await expect(s.get()).rejects.toThrow("dmsetup gone");
    expect(s.failing).toEqual({ since: 100, message: "dmsetup gone" });
    now = 200;
    await expect(s.get()).rejects.toThrow("dmsetup gone");
    expect(s.failing).toEqual({ since: 100, message: "dmsetup gone" }); // since the first failure
    fail = false;
    await expect(s.get()).resolves.toMatchObject({ readAt: 1 });
    expect(s.failing).toBeNull();
    expect(s.lastGood).toMatchObject({ readAt: 1 });
  });
});

describe("a room whose host throws", () => {
  it("reads as a failing host (never a throw), so the grid's first paint still renders", async () => {
    const { Room } = await import("@/lib/status/room");
    const { parseConfig } = await import("@/lib/config/load");
    const { demoConfig } = await import("@/lib/config/demo");
    const config = parseConfig(demoConfig());
    // Throws at once (not a rejected promise), and cannot even say how it is.
    const host = hostWith(
      () => {
        throw new Error("agent pipe closed");
      },
      () => {
        throw new Error("no agent");
      },
    );
    const readings = await new Room(config, [host]).read();
    expect(readings).toEqual([
      {
        name: "local",
        health: { state: "down", since: expect.any(Number), error: "no agent" },
        status: null,
        failing: { since: expect.any(Number), message: "agent pipe closed" },
      },
    ]);
  });
});

/** A host whose status reads end when the test says, with what it says. */
function controlledHost() {
  const calls: { resolve(s: HostStatus): void; reject(e: Error): void }[] = [];
  const host = hostWith(() => new Promise<HostStatus>((resolve, reject) => calls.push({ resolve, reject })));
  return { host, calls };
}
const settle = () => new Promise((r) => setTimeout(r, 0));
/** PC 1 as a status read sees it: full before the reset, nearly empty after. */
const fullRead = (readAt: number): HostStatus => ({
  readAt,
  machines: [{ id: 1, state: "ok", usedSectors: 900_000, totalSectors: 1_000_000, online: false, initiators: [], exported: true, suspended: false }],
});
const emptyRead = (readAt: number): HostStatus => ({
  readAt,
  machines: [{ id: 1, state: "ok", usedSectors: 128, totalSectors: 1_000_000, online: false, initiators: [], exported: true, suspended: false }],
});

describe("a read begun before a reset and ended after it", () => {
  it("never replaces the fresher read, nor is handed to the callers that joined it", async () => {
    const h = controlledHost();
    const s = new StatusService(h.host, 1000);
    const old = s.get(); // read 1: begun before the reset
    s.invalidate(); // the reset ended
    const fresh = s.get(); // read 2
    expect(h.calls.length).toBe(2);
    h.calls[1]!.resolve(emptyRead(2));
    expect((await fresh).readAt).toBe(2);
    h.calls[0]!.resolve(fullRead(1)); // the old read ends last
    expect((await old).readAt).toBe(2);
    expect(s.lastGood?.readAt).toBe(2);
    expect(await s.get()).toMatchObject({ readAt: 2 });
    expect(h.calls.length).toBe(2);
  });

  it("a stale read's failure does not mark the host failing when a fresher read succeeded", async () => {
    const h = controlledHost();
    const s = new StatusService(h.host, 1000);
    const old = s.get().catch((e: Error) => e);
    s.invalidate();
    const fresh = s.get();
    h.calls[1]!.resolve(emptyRead(2));
    await fresh;
    h.calls[0]!.reject(new Error("timed out"));
    await settle();
    expect(s.failing).toBeNull();
    expect(await old).toMatchObject({ readAt: 2 });
  });

  it("the room (so the grid and auto-extend) gets the read after the reset, not the one it was waiting for", async () => {
    const { Room } = await import("@/lib/status/room");
    const { parseConfig } = await import("@/lib/config/load");
    const { demoConfig } = await import("@/lib/config/demo");
    const h = controlledHost();
    const room = new Room(parseConfig(demoConfig()), [h.host]);
    const reading = room.read(); // the room watch's tick: read 1 begins
    room.invalidate("local"); // a reset of PC 1 ends meanwhile
    h.calls[0]!.resolve(fullRead(1));
    await settle();
    // The tick reads again rather than taking the pre-reset numbers.
    expect(h.calls.length).toBe(2);
    h.calls[1]?.resolve(emptyRead(2));
    const [r] = await reading;
    expect(r!.status).toMatchObject({ readAt: 2, machines: [{ id: 1, usedSectors: 128 }] });
    expect(room.services.get("local")!.lastGood?.readAt).toBe(2);
  });
});
