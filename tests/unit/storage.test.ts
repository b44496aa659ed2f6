import { beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config/load";
import { Storage } from "@/helper/storage/storage";
import { SimKernel } from "@/lib/host/sim/kernel/kernel";

const config = parseConfig({
  host: "real",
  machines: [
    { id: 1, name: "pc1", ip: "10.0.0.41", dmName: "retrocow1" },
    { id: 2, name: "pc2", ip: "10.0.0.42", dmName: "retrocow2", mode: "PO" },
  ],
  defaults: { cowSizeMiB: 16, chunkSectors: 8, mode: "P" },
  storage: { master: "/store/master.img", cowDir: "/store", iqnPrefix: "iqn.2026-11.test.cowherd", reserveMiB: 64 },
});

let fake: SimKernel;
let host: Storage;
const noSteps = () => undefined;
beforeEach(() => {
  fake = new SimKernel();
  fake.addFile("/store/master.img", 64 * 1048576);
  host = new Storage({ config, run: fake.runner, fs: fake.fs, dm: fake.worker, stateDir: "/run/cowherd", pid: 100, lockWaitMs: 300 });
});

describe("helper storage (commands as argv arrays)", () => {
  it("up from nothing: master read-only once, COW files, loops, snapshots, targets bound to each PC's IP, LUN 1 direct", async () => {
    const r = await host.up([1, 2]);
    expect(r.every((x) => x.ok)).toBe(true);
    expect(fake.mutations()).toEqual([
      "/usr/sbin/losetup --find --show --read-only /store/master.img",
      "/usr/bin/fallocate --length 16777216 /store/retrocow1.cow",
      "/usr/sbin/losetup --find --show /store/retrocow1.cow",
      "/usr/sbin/dmsetup create retrocow1 --table 0 131072 snapshot 7:0 7:1 P 8",
      "/usr/sbin/tgtadm --lld iscsi --op new --mode target --tid 1 -T iqn.2026-11.test.cowherd:retrocow1",
      "/usr/sbin/tgtadm --lld iscsi --op bind --mode target --tid 1 -I 10.0.0.41",
      "/usr/sbin/tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b /dev/mapper/retrocow1 --bsoflags direct",
      "/usr/sbin/tgtadm --lld iscsi --op update --mode logicalunit --tid 1 --lun 1 --params vendor_id=COWHERD,product_id=SYSTEM-DISK,scsi_id=COWHERD-SYSTEM,scsi_sn=CWHSYS1",
      "/usr/bin/fallocate --length 16777216 /store/retrocow2.cow",
      "/usr/sbin/losetup --find --show /store/retrocow2.cow",
      "/usr/sbin/dmsetup create retrocow2 --table 0 131072 snapshot 7:0 7:2 PO 8",
      "/usr/sbin/tgtadm --lld iscsi --op new --mode target --tid 2 -T iqn.2026-11.test.cowherd:retrocow2",
      "/usr/sbin/tgtadm --lld iscsi --op bind --mode target --tid 2 -I 10.0.0.42",
      "/usr/sbin/tgtadm --lld iscsi --op new --mode logicalunit --tid 2 --lun 1 -b /dev/mapper/retrocow2 --bsoflags direct",
      "/usr/sbin/tgtadm --lld iscsi --op update --mode logicalunit --tid 2 --lun 1 --params vendor_id=COWHERD,product_id=SYSTEM-DISK,scsi_id=COWHERD-SYSTEM,scsi_sn=CWHSYS1",
    ]);
    fake.calls = [];
    expect((await host.up([1, 2])).map((x) => x.actions)).toEqual([[], []]);
    expect(fake.mutations()).toEqual([]);
  });

  it("reset in place: error table, zero the COW file's header, load the same snapshot table, resume — the LUN is never touched", async () => {
    await host.up([1, 2]);
    fake.calls = [];
    const steps: string[] = [];
    const [r] = await host.reset([1], (id, s) => steps.push(`${id}:${s}`));
    expect(r).toMatchObject({ ok: true, outcome: "fresh" });
    expect(steps).toEqual(["1:check", "1:dm-error", "1:cow-zero", "1:dm-load", "1:dm-resume"]);
    expect(fake.mutations()).toEqual([
      "worker wipe retrocow1 131072",
      "zero-header /store/retrocow1.cow",
      "worker load retrocow1 0 131072 snapshot 7:0 7:1 P 8",
      "worker resume retrocow1",
    ]);
    expect(fake.dm.get("retrocow1")).toEqual({ live: "0 131072 snapshot 7:0 7:1 P 8", inactive: null, suspended: false });
    expect(fake.files.has("/run/cowherd/reset-1.json")).toBe(false);
    expect(fake.locks.size).toBe(0);
  });

  it("several PCs in one run: each step for all of them, no process per PC (worker requests only)", async () => {
    await host.up([1, 2]);
    fake.calls = [];
    const reports = await host.reset([1, 2], noSteps);
    expect(reports.map((r) => [r.ok, r.outcome])).toEqual([
      [true, "fresh"],
      [true, "fresh"],
    ]);
    const m = fake.mutations();
    expect(m).toEqual([
      "worker wipe retrocow1 131072",
      "worker wipe retrocow2 131072",
      "zero-header /store/retrocow1.cow",
      "zero-header /store/retrocow2.cow",
      "worker load retrocow1 0 131072 snapshot 7:0 7:1 P 8",
      "worker load retrocow2 0 131072 snapshot 7:0 7:2 PO 8",
      "worker resume retrocow1",
      "worker resume retrocow2",
    ]);
    // Reads: one look at the host (five commands), shared by the repair check and the run.
    expect(fake.calls.filter((c) => !m.includes(c)).length).toBe(5);
  });

  it.each(["dm-error", "dm-load", "dm-resume"])("a PC whose %s fails drops into recovery alone; the other is reset", async (step) => {
    await host.up([1, 2]);
    const op = { "dm-error": "wipe", "dm-load": "load", "dm-resume": "resume" }[step]!;
    let n = 0;
    fake.failWhen.push((c) => (c.startsWith(`worker ${op} retrocow1`) && ++n === 1 ? "Device or resource busy" : null));
    const [r1, r2] = await host.reset([1, 2], noSteps);
    expect(r1).toMatchObject({ ok: false, failedStep: step, error: "Device or resource busy", outcome: step === "dm-error" ? "kept-old" : "fresh" });
    expect(r2).toMatchObject({ ok: true, outcome: "fresh" });
    // Whatever failed, the PC ends on a live snapshot with its LUN exported.
    expect(fake.dm.get("retrocow1")).toMatchObject({ live: "0 131072 snapshot 7:0 7:1 P 8", inactive: null, suspended: false });
    expect(fake.targets.get(1)!.lun1).toBe("/dev/mapper/retrocow1");
    expect(fake.files.has("/run/cowherd/reset-1.json")).toBe(false);
  });

  it("a failed header zero keeps the old disk: the same snapshot comes back over the intact header", async () => {
    await host.up([1]);
    fake.failWhen.push((c) => (c.startsWith("zero-header") ? "EIO" : null));
    const origZero = fake.fs.zeroHeader;
    fake.fs.zeroHeader = () => {
      throw new Error("write failed: Input/output error");
    };
    const [r] = await host.reset([1], noSteps);
    fake.fs.zeroHeader = origZero;
    expect(r).toMatchObject({ ok: false, failedStep: "cow-zero", outcome: "kept-old" });
    expect(r!.recovery.map((s) => s.step)).toEqual(["recover:dm-load", "recover:dm-resume"]);
    expect(fake.dm.get("retrocow1")!.live).toContain("snapshot");
  });

  it("recovery that cannot bring the snapshot back says the PC is down", async () => {
    await host.up([1]);
    fake.failWhen.push((c) => (c.startsWith("worker load retrocow1") ? "Cannot allocate memory" : null));
    const [r] = await host.reset([1], noSteps);
    expect(r).toMatchObject({ ok: false, failedStep: "dm-load", outcome: "down" });
    expect(r!.recovery.map((s) => [s.step, s.ok])).toEqual([
      ["recover:dm-load", false],
      ["recover:dm-load", false],
    ]);
    // The journal stays until the PC is repaired; the next reset repairs it first.
    expect(fake.files.has("/run/cowherd/reset-1.json")).toBe(true);
    fake.failWhen = [];
    const [again] = await host.reset([1], noSteps);
    expect(again).toMatchObject({ ok: true, outcome: "fresh" });
    expect(fake.files.has("/run/cowherd/reset-1.json")).toBe(false);
  });

  it("check refuses before anything changes: master replaced, COW file deleted, device not set up", async () => {
    await host.up([1, 2]);
    fake.calls = [];
    fake.files.set("/store/master.img", { size: 64 * 1048576, ino: 9999 }); // a new file under the old name
    const [r] = await host.reset([1], noSteps);
    expect(r).toMatchObject({ ok: false, failedStep: "check", outcome: "kept-old" });
    expect(r!.error).toMatch(/master image \/store\/master.img was deleted, renamed or replaced while PCs run on it \(\/dev\/loop0 now holds another inode/);
    expect(fake.mutations()).toEqual([]);

    fake.files.set("/store/master.img", { size: 64 * 1048576, ino: fake.loops[0]!.ino });
    fake.loops.find((l) => l.backFile === "/store/retrocow2.cow")!.deleted = true;
    fake.files.delete("/store/retrocow2.cow");
    const [r2] = await host.reset([2], noSteps);
    expect(r2).toMatchObject({ ok: false, failedStep: "check" });
    expect(r2!.error).toMatch(/COW file \/store\/retrocow2.cow of pc2 was deleted/);
    // And up never puts a new, empty COW under a PC that still runs on the deleted one.
    const [u] = await host.up([2]);
    expect(u).toMatchObject({ ok: false });
    expect(fake.files.has("/store/retrocow2.cow")).toBe(false);
    expect(fake.mutations()).toEqual([]);
  });

  it("the header is zeroed only in the file the PC's loop holds (same inode), never in another PC's", async () => {
    await host.up([1]);
    // The COW file was swapped under the loop (renamed away, a new file put at the path).
    const loop = fake.loops.find((l) => l.backFile === "/store/retrocow1.cow")!;
    fake.files.set("/store/retrocow1.cow", { size: 16 * 1048576, ino: 4242 });
    const [r] = await host.reset([1], noSteps);
    expect(r).toMatchObject({ ok: false, failedStep: "check" });
    expect(fake.calls.some((c) => c.startsWith("zero-header"))).toBe(false);
    expect(loop.ino).not.toBe(4242);
  });

  it("a PC locked by another process is waited for, then refused with a clear message; nothing runs", async () => {
    await host.up([1]);
    fake.lockedElsewhere.add("/run/cowherd/pc-1.lock");
    fake.calls = [];
    const reports = await host.reset([1], noSteps).catch((e: Error) => e);
    expect(reports).toBeInstanceOf(Error);
    expect((reports as Error).message).toMatch(/PC 1 is locked by another cowherd-helper process/);
    expect(fake.mutations()).toEqual([]);
  });

  it("verbs on the same PC take turns inside one process (the agent's concurrent requests)", async () => {
    await host.up([1, 2]);
    fake.calls = [];
    await Promise.all([host.reset([1], noSteps), host.grow(1, 32).catch(() => undefined), host.reset([1, 2], noSteps)]);
    const m = fake.mutations().filter((c) => c.includes("retrocow1") || c.includes("fallocate"));
    // Each run over PC 1 is whole: wipe, zero, load, resume never interleave with another run.
    const runs = m.join("\n").split("worker wipe retrocow1").slice(1);
    for (const run of runs) expect(run.match(/worker resume retrocow1/g)?.length).toBe(1);
  });

  it("repairs every half state a dead process can leave: no table, an error table, a table never resumed, suspended", async () => {
    await host.up([1, 2]);
    const snap1 = fake.dm.get("retrocow1")!.live!;
    fake.dm.set("retrocow1", { live: null, inactive: null, suspended: false }); // killed inside dmsetup create
    fake.dm.set("retrocow2", { live: "0 131072 error", inactive: "0 131072 snapshot 7:0 7:2 PO 8", suspended: false }); // loaded, never resumed
    fake.files.set("/run/cowherd/reset-2.json", { size: 0, ino: 1, text: JSON.stringify({ pid: 4242, startedAt: 1, step: "dm-resume" }) });
    const r = await host.repair([1, 2]);
    expect(r).toEqual([
      // No table: loaded, resumed, and its /dev/mapper node made to match (no udev to do it).
      { id: 1, ok: true, actions: ["dm-load", "dm-resume", "dm-node"] },
      // Whatever waits in the inactive slot is dropped first (two inactive snapshot tables cannot
      // share a COW), then the table this PC must have is loaded.
      { id: 2, ok: true, actions: ["dm-clear", "dm-load", "dm-resume"] },
    ]);
    expect(fake.calls).toContain("/usr/sbin/dmsetup mknodes retrocow1");
    expect(fake.dm.get("retrocow1")).toEqual({ live: snap1, inactive: null, suspended: false });
    expect(fake.dm.get("retrocow2")).toEqual({ live: "0 131072 snapshot 7:0 7:2 PO 8", inactive: null, suspended: false });
    expect(fake.files.has("/run/cowherd/reset-2.json")).toBe(false);
    fake.dm.get("retrocow1")!.suspended = true;
    expect((await host.repair([1]))[0]).toEqual({ id: 1, ok: true, actions: ["dm-resume"] });
  });

  it("status reads only (one look at everything), never repairs or touches a journal", async () => {
    await host.up([1]);
    fake.dm.get("retrocow1")!.suspended = true;
    fake.files.set("/run/cowherd/reset-1.json", { size: 0, ino: 1, text: "" });
    fake.calls = [];
    const s = await host.status();
    expect(fake.calls.sort()).toEqual([
      "/usr/sbin/dmsetup info -c --noheadings --separator : -o name,attr,open",
      "/usr/sbin/dmsetup status",
      "/usr/sbin/dmsetup table",
      "/usr/sbin/losetup --list --json --output NAME,BACK-FILE,BACK-INO,MAJ:MIN,RO",
      "/usr/sbin/tgtadm --lld iscsi --op show --mode target",
    ]);
    expect(fake.files.has("/run/cowherd/reset-1.json")).toBe(true);
    expect(s.machines).toEqual([
      {
        id: 1,
        state: "ok",
        usedSectors: 16,
        totalSectors: 32768,
        metadataSectors: 16,
        online: false,
        initiators: [],
        exported: true,
        suspended: true,
        version: 1,
      },
      { id: 2, state: "missing", online: false, initiators: [], exported: false, suspended: false, version: 1 },
    ]);
    expect(s.images).toEqual({
      group: "default",
      current: 1,
      keep: 3,
      draft: null,
      versions: [{ n: 1, sizeBytes: 64 * 1048576, createdAt: expect.any(Number), attached: true, machines: [1, 2] }],
    });
    expect(s.groups).toEqual([s.images]);
  });

  it("up refuses a COW the store has no room for (reserve kept) and leaves nothing behind", async () => {
    fake.freeBytes = 70 * 1048576; // 16 MiB COW + 64 MiB reserve does not fit
    const [r] = await host.up([1]);
    expect(r).toMatchObject({ ok: false, step: "space" });
    expect(r!.error).toMatch(/not enough space for pc1's 16 MiB COW: 70 MiB free/);
    expect(fake.files.has("/store/retrocow1.cow")).toBe(false);
    expect(fake.loops.filter((l) => !l.ro)).toEqual([]);
  });

  it("up undoes a COW file whose blocks cannot be allocated", async () => {
    fake.failWhen.push((c) => (c.includes("fallocate") ? "fallocate: fallocate failed: No space left on device" : null));
    const [r] = await host.up([1]);
    expect(r).toMatchObject({ ok: false, step: "cow-allocate" });
    expect(fake.files.has("/store/retrocow1.cow")).toBe(false);
    expect(fake.calls.some((c) => c.includes("losetup --find --show /store/retrocow1.cow"))).toBe(false);
  });

  it("grow checks the reserve first and undoes a failed allocation", async () => {
    await host.up([1]);
    fake.freeBytes = 80 * 1048576;
    await expect(host.grow(1, 64)).rejects.toMatchObject({ step: "space" });
    fake.freeBytes = 1024 ** 3;
    fake.failWhen.push((c) => (c.includes("fallocate --length 67108864") ? "No space left on device" : null));
    await expect(host.grow(1, 64)).rejects.toMatchObject({ step: "cow-allocate" });
    expect(fake.files.get("/store/retrocow1.cow")!.size).toBe(16 * 1048576);
  });

  it("down tears one PC down in reverse order and forgets its journal", async () => {
    await host.up([1]);
    fake.calls = [];
    const [r] = await host.down([1]);
    expect(r).toEqual({ id: 1, ok: true, actions: ["lun-offline", "target-deleted", "dm-removed", "cow-loop-detached"] });
    expect(fake.mutations()).toEqual([
      "/usr/sbin/tgtadm --lld iscsi --op delete --mode logicalunit --tid 1 --lun 1",
      "/usr/sbin/tgtadm --lld iscsi --op delete --force --mode target --tid 1",
      "/usr/sbin/dmsetup remove retrocow1",
      "/usr/sbin/losetup --detach /dev/loop1",
    ]);
  });

  it("a target daemon that does not answer is every PC's problem, in words, with their numbers still read", async () => {
    await host.up([1, 2]);
    fake.tgtdDown = true;
    const st = await host.status();
    for (const id of [1, 2]) {
      expect(st.machines.find((m) => m.id === id)).toMatchObject({
        state: "ok",
        exported: false,
        online: false,
        problem: expect.stringMatching(
          /^the iSCSI target does not answer \(.*Transport endpoint is not connected.*\): no PC can reach its disk or boot; start it \(systemctl start tgt\), then 'cowherd-helper repair'/,
        ),
      });
    }
  });

  it("a missing iSCSI tool is an error (the config names a backend this host does not have), not 'not exported'", async () => {
    await host.up([1]);
    fake.files.delete("/usr/sbin/tgtadm");
    await expect(host.status()).rejects.toMatchObject({
      step: "read-iscsi",
      message: expect.stringMatching(/configured as tgt .* \/usr\/sbin\/tgtadm is missing/),
    });
    const iet = new Storage({
      config: parseConfig({ ...config, machines: config.machines, storage: { ...config.storage, backend: "iet" } }),
      run: fake.runner,
      fs: fake.fs,
      dm: fake.worker,
      stateDir: "/run/cowherd",
    });
    await expect(iet.status()).rejects.toMatchObject({
      message: expect.stringMatching(/configured as iet .*\/usr\/sbin\/ietadm and \/proc\/net\/iet are missing/),
    });
  });

  it("a table loaded behind a live snapshot (a kill between a reset's two halves) is replaced, never made live", async () => {
    await host.up([1]);
    const snap = fake.dm.get("retrocow1")!.live!;
    fake.dm.get("retrocow1")!.inactive = "0 131072 error";
    expect((await host.status()).machines[0]!.problem).toMatch(/inactive slot/);
    expect((await host.repair([1]))[0]).toEqual({ id: 1, ok: true, actions: ["dm-clear", "dm-load", "dm-resume"] });
    expect(fake.dm.get("retrocow1")).toEqual({ live: snap, inactive: null, suspended: false });
  });

  it("status names what is wrong with a PC's storage (COW deleted under it, a half-done reset)", async () => {
    await host.up([1, 2]);
    fake.loops.find((l) => l.backFile === "/store/retrocow2.cow")!.deleted = true;
    fake.files.delete("/store/retrocow2.cow");
    fake.dm.get("retrocow1")!.live = "0 131072 error";
    const [s1, s2] = (await host.status()).machines;
    expect(s1).toMatchObject({ state: "unknown", problem: expect.stringMatching(/error table is live/) });
    expect(s2!.problem).toMatch(/COW file \/store\/retrocow2.cow of pc2 was deleted/);
  });
});

describe("an export half made is finished, and only a full one counts (issue 16 item 9)", () => {
  const bound = (tid: number) => fake.targets.get(tid)?.acl?.includes(`10.0.0.4${tid}`) && fake.targets.get(tid)?.lun1 === `/dev/mapper/retrocow${tid}`;

  it("a target created but never bound (up killed after 'tgtadm --op new'): not exported, and up and repair bind it", async () => {
    await host.up([1, 2]);
    for (const tid of [1, 2]) fake.targets.set(tid, { iqn: `iqn.2026-11.test.cowherd:retrocow${tid}`, acl: [] });
    const st = await host.status();
    expect(st.machines.map((m) => m.exported)).toEqual([false, false]);
    fake.calls = [];
    expect((await host.repair([1])).find((r) => r.id === 1)).toEqual({ id: 1, ok: true, actions: ["target-bound", "lun-online", "lun-identity"] });
    expect(fake.mutations().slice(0, 2)).toEqual([
      "/usr/sbin/tgtadm --lld iscsi --op bind --mode target --tid 1 -I 10.0.0.41",
      "/usr/sbin/tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b /dev/mapper/retrocow1 --bsoflags direct",
    ]);
    expect((await host.up([2]))[0]).toMatchObject({ ok: true });
    expect([bound(1), bound(2)]).toEqual([true, true]);
    expect((await host.status()).machines.map((m) => m.exported)).toEqual([true, true]);
  });

  it("a device live without its /dev/mapper node: status names it, up makes the node and exports", async () => {
    await host.up([1]);
    delete fake.targets.get(1)!.lun1;
    fake.noNode.add("retrocow1");
    expect((await host.status()).machines[0]).toMatchObject({ exported: false, problem: expect.stringMatching(/no \/dev\/mapper node/) });
    const [r] = await host.up([1]);
    expect(r).toMatchObject({ ok: true });
    expect(fake.calls).toContain("/usr/sbin/dmsetup mknodes retrocow1");
    expect(bound(1)).toBe(true);
    expect((await host.status()).machines[0]).toMatchObject({ exported: true });
    expect((await host.status()).machines[0]!.problem).toBeUndefined();
  });

  it("a device with neither table nor node (killed inside dmsetup create): status names the missing table, the deeper fault", async () => {
    await host.up([1]);
    fake.dm.set("retrocow1", { live: null, inactive: null, suspended: false });
    fake.noNode.add("retrocow1");
    expect((await host.status()).machines[0]).toMatchObject({ state: "unknown", problem: expect.stringMatching(/has no table/) });
  });

  it("a table-less device with no target, then reset: the reset repairs the table and exports it before answering fresh", async () => {
    await host.up([1]);
    fake.dm.set("retrocow1", { live: null, inactive: null, suspended: false });
    fake.targets.delete(1);
    const [r] = await host.reset([1], noSteps);
    expect(r).toMatchObject({ ok: true, outcome: "fresh" });
    expect(bound(1)).toBe(true);
    expect((await host.status()).machines[0]).toMatchObject({ state: "ok", exported: true });
  });

  it("a reset in progress (its journal, its process alive and holding the lock) is not a fault; a dead one's is", async () => {
    await host.up([1]);
    fake.dm.get("retrocow1")!.live = "0 131072 error";
    fake.files.set("/run/cowherd/reset-1.json", { size: 0, ino: 1, text: JSON.stringify({ pid: 4242, startedAt: 1, step: "cow-zero" }) });
    expect((await host.status()).machines[0]!.problem).toMatch(/error table is live/);
    fake.spawn(4242); // another helper process, still running
    expect((await host.status()).machines[0]!.problem).toBeUndefined();
    fake.kill(4242);
    fake.files.set("/run/cowherd/reset-1.json", { size: 0, ino: 1, text: JSON.stringify({ pid: 100, startedAt: 1, step: "cow-zero" }) });
    // This process's own journal counts only while it holds the PC's lock (a reset of its own running).
    expect((await host.status()).machines[0]!.problem).toMatch(/error table is live/);
    await host.locks.with([1], async () => expect((await host.status()).machines[0]!.problem).toBeUndefined());
  });

  it("a first up with no master on disk is refused before anything is recorded (not v1 as 0 bytes for ever)", async () => {
    fake.files.delete("/store/master.img");
    const [r] = await host.up([1]);
    expect(r).toMatchObject({ ok: false, step: "master", error: expect.stringMatching(/not found/) });
    expect(fake.files.has("/var/lib/cowherd-helper/images.json")).toBe(false);
    fake.addFile("/store/master.img", 64 * 1048576);
    expect((await host.up([1]))[0]).toMatchObject({ ok: true });
    expect((await host.imageList()).versions[0]).toMatchObject({ n: 1, sizeBytes: 64 * 1048576 });
  });

  it("the master replaced by hand, PCs down and up: the deleted master's loop is detached", async () => {
    await host.up([1, 2]);
    const old = fake.loops.find((l) => l.backFile === "/store/master.img")!;
    old.deleted = true;
    fake.files.delete("/store/master.img");
    fake.addFile("/store/master.img", 64 * 1048576);
    await host.down([1, 2]);
    const r = await host.up([1, 2]);
    expect(r.every((x) => x.ok)).toBe(true);
    expect(fake.calls).toContain(`/usr/sbin/losetup --detach ${old.name}`);
    expect(fake.loops.filter((l) => l.backFile === "/store/master.img")).toHaveLength(1);
  });

  it("up after tgtd restarted (every target gone) re-creates targets and LUNs and says so", async () => {
    await host.up([1, 2]);
    fake.targets.clear();
    const r = await host.up([1, 2]);
    expect(r.map((x) => [x.ok, x.actions])).toEqual([
      [true, ["target-created", "lun-online", "lun-identity"]],
      [true, ["target-created", "lun-online", "lun-identity"]],
    ]);
  });
});
