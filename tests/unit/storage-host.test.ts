import { beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config/load";
import { StorageHost } from "@/lib/host/storage/storage-host";
import { FakeStorage } from "../helpers/fake-storage";

const config = parseConfig({
  host: "real",
  machines: [
    { id: 1, name: "pc1", ip: "10.0.0.41", dmName: "retrocow1" },
    { id: 2, name: "pc2", ip: "10.0.0.42", dmName: "retrocow2", mode: "PO" },
  ],
  defaults: { cowSizeMiB: 16, chunkSectors: 8, mode: "P" },
  storage: { master: "/store/master.img", cowDir: "/store", iqnPrefix: "iqn.2026-11.test.cowherd" },
});

let fake: FakeStorage;
let host: StorageHost;
beforeEach(() => {
  fake = new FakeStorage();
  fake.files.set("/store/master.img", 64 * 1048576);
  host = new StorageHost({ config, run: fake.runner, fs: fake.fs, stateDir: "/run/cowherd", pid: 100, isAlive: (p) => p === 100 });
});

describe("helper storage host (commands as argv arrays)", () => {
  it("up from nothing: master read-only once, COW files, loops, snapshots, targets bound to each PC's IP, LUN 1 direct", async () => {
    const r = await host.up([1, 2]);
    expect(r.every((x) => x.ok)).toBe(true);
    expect(fake.mutations()).toEqual([
      "/usr/sbin/losetup --find --show --read-only /store/master.img",
      "/usr/bin/fallocate --length 16777216 /store/retrocow1.cow",
      "/usr/sbin/losetup --find --show /store/retrocow1.cow",
      "/usr/sbin/dmsetup create retrocow1 --table 0 131072 snapshot /dev/loop0 /dev/loop1 P 8",
      "/usr/sbin/tgtadm --lld iscsi --op new --mode target --tid 1 -T iqn.2026-11.test.cowherd:retrocow1",
      "/usr/sbin/tgtadm --lld iscsi --op bind --mode target --tid 1 -I 10.0.0.41",
      "/usr/sbin/tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b /dev/mapper/retrocow1 --bsoflags direct",
      "/usr/bin/fallocate --length 16777216 /store/retrocow2.cow",
      "/usr/sbin/losetup --find --show /store/retrocow2.cow",
      "/usr/sbin/dmsetup create retrocow2 --table 0 131072 snapshot /dev/loop0 /dev/loop2 PO 8",
      "/usr/sbin/tgtadm --lld iscsi --op new --mode target --tid 2 -T iqn.2026-11.test.cowherd:retrocow2",
      "/usr/sbin/tgtadm --lld iscsi --op bind --mode target --tid 2 -I 10.0.0.42",
      "/usr/sbin/tgtadm --lld iscsi --op new --mode logicalunit --tid 2 --lun 1 -b /dev/mapper/retrocow2 --bsoflags direct",
    ]);
    fake.calls = [];
    expect((await host.up([1, 2])).map((x) => x.actions)).toEqual([[], []]);
    expect(fake.mutations()).toEqual([]);
  });

  it("reset: LUN offline, remove, zero the 4 KiB header, create, LUN online — in that order", async () => {
    await host.up([1, 2]);
    fake.calls = [];
    const [r] = await host.reset([1]);
    expect(r).toMatchObject({ ok: true, outcome: "fresh" });
    expect(fake.mutations()).toEqual([
      "/usr/sbin/tgtadm --lld iscsi --op delete --mode logicalunit --tid 1 --lun 1",
      "/usr/sbin/dmsetup remove retrocow1",
      "zero-header /dev/loop1",
      "/usr/sbin/dmsetup create retrocow1 --table 0 131072 snapshot /dev/loop0 /dev/loop1 P 8",
      "/usr/sbin/tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b /dev/mapper/retrocow1 --bsoflags direct",
    ]);
    expect(fake.files.has("/run/cowherd/reset-1.pid")).toBe(false);
  });

  it("several PCs in one call: one dmsetup remove and one dmsetup create for all of them", async () => {
    await host.up([1, 2]);
    fake.calls = [];
    const reports = await host.reset([1, 2]);
    expect(reports.map((r) => [r.ok, r.outcome])).toEqual([[true, "fresh"], [true, "fresh"]]);
    const m = fake.mutations();
    expect(m.filter((c) => c.includes("dmsetup remove"))).toEqual(["/usr/sbin/dmsetup remove retrocow1 retrocow2"]);
    expect(m.filter((c) => c.includes("dmsetup create"))).toEqual([
      "/usr/sbin/dmsetup create --concise retrocow1,,,rw,0 131072 snapshot /dev/loop0 /dev/loop1 P 8;retrocow2,,,rw,0 131072 snapshot /dev/loop0 /dev/loop2 PO 8",
    ]);
    expect(m.filter((c) => c.startsWith("zero-header"))).toEqual(["zero-header /dev/loop1", "zero-header /dev/loop2"]);
  });

  it("in a batch, a busy PC fails alone with its own error; the others are reset", async () => {
    await host.up([1, 2]);
    fake.held.add("retrocow1");
    const [r1, r2] = await host.reset([1, 2]);
    expect(r1).toMatchObject({ ok: false, failedStep: "dm-remove", outcome: "kept-old" });
    expect(r1!.error).toContain("retrocow1");
    expect(r1!.error).not.toContain("retrocow2");
    expect(r2).toMatchObject({ ok: true, outcome: "fresh" });
    expect(fake.targets.get(1)!.lun1).toBe("/dev/mapper/retrocow1"); // re-exported by recovery
  });

  it("in a batch, a PC failing before dm-remove does not hold the others up", async () => {
    await host.up([1, 2]);
    fake.failWhen.push((c) => (c.includes("logicalunit --tid 2 --lun 1") && c.includes("delete") ? "tgtadm: device busy" : null));
    const [r1, r2] = await host.reset([1, 2]);
    expect(r1).toMatchObject({ ok: true });
    expect(r2).toMatchObject({ ok: false, failedStep: "lun-offline" });
  });

  it("a failing dm-create is retried in recovery; two failures leave the report saying not-exported", async () => {
    await host.up([1]);
    let creates = 0;
    fake.failWhen.push((c) => (c.includes("dmsetup create") && ++creates <= 3 ? "device-mapper: create ioctl failed: Cannot allocate memory" : null));
    const [r] = await host.reset([1]);
    expect(r).toMatchObject({ ok: false, failedStep: "dm-create", outcome: "not-exported" });
    expect(r!.recovery.map((s) => s.step)).toEqual(["recover:dm-create", "recover:dm-create"]);
    // One more transient failure only: recovery re-creates and re-exports.
    creates = 2;
    const [r2] = await host.reset([1]);
    expect(r2).toMatchObject({ ok: false, failedStep: "dm-create", outcome: "fresh" });
    expect(fake.dm.has("retrocow1") && fake.targets.get(1)?.lun1).toBeTruthy();
  });

  it("a reset already running in a live process is refused; a dead one's journal is repaired first", async () => {
    await host.up([1]);
    fake.files.set("/run/cowherd/reset-1.pid", 100);
    const [busy] = await host.reset([1]);
    expect(busy).toMatchObject({ ok: false, failedStep: "lock" });
    fake.files.set("/run/cowherd/reset-1.pid", 4242); // dead
    fake.dm.get("retrocow1")!.suspended = true;
    delete fake.targets.get(1)!.lun1;
    const repaired = await host.repairStale();
    expect(repaired).toEqual([{ id: 1, ok: true, actions: ["recover:dm-resume", "recover:lun-online"] }]);
    expect(fake.dm.get("retrocow1")!.suspended).toBe(false);
    expect(fake.targets.get(1)!.lun1).toBe("/dev/mapper/retrocow1");
  });

  it("a reset that finds a dead helper's half-done reset repairs it first, then resets from the repaired state", async () => {
    await host.up([1, 2]);
    fake.files.set("/run/cowherd/reset-1.pid", 4242); // dead
    delete fake.targets.get(1)!.lun1;
    fake.dm.delete("retrocow1");
    const [r] = await host.reset([1]);
    expect(r).toMatchObject({ ok: true, outcome: "fresh" });
    expect(fake.dm.has("retrocow1")).toBe(true);
    expect(fake.targets.get(1)!.lun1).toBe("/dev/mapper/retrocow1");
  });

  it("status combines one dmsetup status, one dmsetup info and one target listing", async () => {
    await host.up([1]);
    fake.calls = [];
    const s = await host.status();
    expect(fake.calls.sort()).toEqual([
      "/usr/sbin/dmsetup info -c --noheadings --separator : -o name,suspended,open",
      "/usr/sbin/dmsetup status",
      "/usr/sbin/tgtadm --lld iscsi --op show --mode target",
    ]);
    expect(s).toEqual([
      { id: 1, state: "ok", usedSectors: 16, totalSectors: 32768, metadataSectors: 16, online: false, initiators: [], exported: true, suspended: false },
      { id: 2, state: "missing", online: false, initiators: [], exported: false, suspended: false },
    ]);
  });
});
