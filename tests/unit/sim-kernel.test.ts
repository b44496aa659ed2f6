import { describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config/load";
import { runHelper } from "@/helper/run-helper";
import { SimKernel } from "@/lib/host/sim/kernel/kernel";
import { BIN, type Command } from "@/lib/host/command";

// The simulated kernel answers as the real tools and dm-snap-persistent do (see docs/domain.md).
const MiB = 1048576;
const cmd = (file: string, ...args: string[]): Command => ({ file, args, timeoutMs: 1000 });
const config = parseConfig({
  host: "real",
  machines: [
    { id: 1, name: "pc1", ip: "10.0.0.41", dmName: "retrocow1" },
    { id: 2, name: "pc2", ip: "10.0.0.42", dmName: "retrocow2", mode: "PO" },
  ],
  defaults: { cowSizeMiB: 16, chunkSectors: 8, mode: "P" },
  storage: { master: "/store/master.img", cowDir: "/store", iqnPrefix: "iqn.2026-11.test.cowherd", reserveMiB: 64 },
});

async function room(k = new SimKernel()) {
  if (!k.files.has("/store/master.img")) k.addFile("/store/master.img", 64 * MiB);
  const { io } = k.io(() => config);
  const r = await runHelper(["up"], io);
  expect(r.code).toBe(0);
  return k;
}
const status = async (k: SimKernel) => (await k.runner(cmd(BIN.dmsetup, "status"))).stdout;

describe("the simulated kernel", () => {
  it("snapshot status counts exceptions and metadata areas as dm-snap-persistent does", async () => {
    const k = await room();
    expect(await status(k)).toContain("retrocow1: 0 131072 snapshot 16/32768 16");
    expect(k.write("retrocow1", MiB)).toBe("ok");
    // 256 new chunks: 2 header/metadata chunks + 256 data + 1 more metadata area = 2072 / 24.
    expect(await status(k)).toContain("retrocow1: 0 131072 snapshot 2072/32768 24");
  });

  it("a full P store is Invalid for good (its header says so); a full PO store overflows", async () => {
    const k = await room();
    expect(k.write("retrocow1", 17 * MiB)).toBe("invalid");
    expect(k.write("retrocow2", 17 * MiB)).toBe("overflow");
    expect(await status(k)).toMatch(/retrocow1: 0 131072 snapshot Invalid/);
    expect(await status(k)).toMatch(/retrocow2: 0 131072 snapshot Overflow/);
    // A reload over the same header stays Invalid; only a zeroed header starts afresh.
    const { io } = k.io(() => config);
    expect((await runHelper(["reset", "--force", "1"], io)).code).toBe(0);
    expect(await status(k)).toContain("retrocow1: 0 131072 snapshot 16/32768 16");
  });

  it("a reload over a live snapshot hands its exceptions over (a zeroed header is not read then)", async () => {
    const k = await room();
    k.write("retrocow1", MiB);
    const table = k.dm.get("retrocow1")!.live!;
    const ino = k.files.get("/store/retrocow1.cow")!.ino;
    k.fs.zeroHeader("/store/retrocow1.cow", ino);
    expect((await k.worker.load([{ name: "retrocow1", table }])).size).toBe(0);
    await k.worker.resume(["retrocow1"]);
    expect(await status(k)).toContain("2072/32768 24");
  });

  it("a loop keeps an unlinked file (deleted) and its space; a detach frees it", async () => {
    const k = await room();
    const free = k.freeBytes;
    k.fs.remove("/store/retrocow1.cow");
    const list = JSON.parse((await k.runner(cmd(BIN.losetup, "--list", "--json", "--output", "NAME,BACK-FILE,BACK-INO,MAJ:MIN,RO"))).stdout);
    expect(list.loopdevices.find((l: { name: string }) => l.name === "/dev/loop1")["back-file"]).toBe("/store/retrocow1.cow (deleted)");
    expect(k.freeBytes).toBe(free);
    const { io } = k.io(() => config);
    await runHelper(["down", "1"], io);
    expect(k.freeBytes).toBe(free + 16 * MiB);
  });

  it("a full store fails allocations like ENOSPC and unknown programs like a missing binary", async () => {
    const k = new SimKernel();
    k.freeBytes = 8 * MiB;
    expect(await k.runner(cmd(BIN.fallocate, "--length", String(16 * MiB), "/store/x.cow"))).toMatchObject({
      code: 1,
      stderr: "fallocate: fallocate failed: No space left on device",
    });
    expect(await k.runner(cmd(BIN.targetcli, "ls"))).toMatchObject({ code: 127 });
    expect(await k.runner(cmd(BIN.dmsetup, "frobnicate"))).toMatchObject({ code: 1, stderr: "Unrecognised command: frobnicate" });
  });

  it("a helper killed before a step changes nothing from there, and its flocks are released", async () => {
    const k = await room();
    k.killWhen((op) => op.startsWith("worker load"));
    const { io, process } = k.io(() => config);
    await runHelper(["reset", "--force", "1"], io);
    expect(process.alive).toBe(false);
    expect(k.locks.size).toBe(0);
    expect(k.dm.get("retrocow1")!.live).toBe("0 131072 error");
    // The next helper repairs what it left.
    const next = k.io(() => config);
    expect((await runHelper(["repair"], next.io)).code).toBe(0);
    expect(k.dm.get("retrocow1")!.live).toContain("snapshot");
  });

  it("sessions at a target follow its ACL; tgtadm shows them as tgtd does", async () => {
    const k = await room();
    expect(k.login("iqn.2026-11.test.cowherd:retrocow1", { iqn: "iqn.pc1", ip: "10.0.0.99" })).toBe(false);
    expect(k.login("iqn.2026-11.test.cowherd:retrocow1", { iqn: "iqn.pc1", ip: "10.0.0.41" })).toBe(true);
    const { io } = k.io(() => config);
    expect((await runHelper(["reset", "1"], io)).output).toMatchObject({ ok: false });
    const s = await runHelper(["status"], k.io(() => config).io);
    expect(s.output).toMatchObject({
      machines: [
        { id: 1, online: true },
        { id: 2, online: false },
      ],
    });
  });

  it("toJSON / fromJSON keep the whole state, shared exception stores included", async () => {
    const k = await room();
    k.write("retrocow1", MiB);
    const back = SimKernel.fromJSON(JSON.parse(JSON.stringify(k.toJSON())));
    expect(await status(back)).toBe(await status(k));
    back.write("retrocow1", MiB);
    expect(await status(back)).toContain("retrocow1: 0 131072 snapshot 4128/32768 32");
    expect(back.freeBytes).toBe(k.freeBytes);
  });
});
