import { beforeEach, describe, expect, it, vi } from "vitest";
import { parseConfig } from "@/lib/config/load";
import { Storage } from "@/helper/storage/storage";
import { parseHelperArgs } from "@/helper/args";
import {
  beginPublish,
  beginUpdate,
  checkState,
  completePublish,
  copied,
  deleteVersion,
  discard,
  expired,
  initialState,
  setCurrent,
  type ImageState,
} from "@/helper/storage/image-state";
import { SimKernel } from "@/lib/host/sim/kernel/kernel";

const MiB = 1048576;
const files = { imageDir: "/store", master: "/store/master.img" };

describe("image versions: the state machine and its refusals", () => {
  const s0 = initialState("/store/master.img", 64 * MiB, 1000, [1, 2, 3]);

  it("starts from the existing master as v1 with every PC on it, numbers never reused", () => {
    expect(s0).toEqual({
      format: 1,
      versions: [{ n: 1, path: "/store/master.img", sizeBytes: 64 * MiB, createdAt: 1000 }],
      current: 1,
      next: 2,
      draft: null,
      pcs: { "1": 1, "2": 1, "3": 1 },
    });
    const s1 = beginUpdate(s0, 2, files, 2000, 42);
    expect(s1.draft).toEqual({ n: 2, path: "/store/master.v2.draft", machine: 2, state: "copying", startedAt: 2000, pid: 42, method: null });
    // Discarded, the next update gets v3: the app's comments for v2 never land on another image.
    expect(beginUpdate(discard(s1), 1, files, 3000, 42).draft!.n).toBe(3);
  });

  it("update → copied → publish → current; every wrong move is refused in words", () => {
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect((e as { step: string }).step).toBe("refused");
        return (e as Error).message;
      }
      throw new Error("not refused");
    };
    expect(refusal(() => beginPublish(s0))).toMatch(/no update in progress to publish/);
    expect(refusal(() => discard(s0))).toMatch(/no update in progress to discard/);
    const copying = beginUpdate(s0, 2, files, 2000, 42);
    expect(refusal(() => beginUpdate(copying, 3, files, 2000, 42))).toMatch(/already in progress \(v2 on PC 2, copying\)/);
    expect(refusal(() => beginPublish(copying))).toMatch(/v2 is still being copied/);
    const ready = copied(copying, "reflink");
    const publishing = beginPublish(ready);
    expect(refusal(() => discard(publishing))).toMatch(/being published/);
    const done = completePublish(publishing, "/store/master.v2.img", 64 * MiB, 5000);
    expect(done).toMatchObject({ current: 2, draft: null, next: 3 });
    expect(done.versions.map((v) => v.n)).toEqual([1, 2]);
    expect(refusal(() => setCurrent(done, 7))).toMatch(/there is no v7 \(versions: v1, v2\)/);
    expect(setCurrent(done, 1).current).toBe(1);
    expect(refusal(() => deleteVersion(done, 2, []))).toMatch(/v2 is the current version/);
    expect(refusal(() => deleteVersion(done, 1, [3]))).toMatch(/v1 is in use by PC 3: they move off it at their next reset/);
    expect(refusal(() => deleteVersion(done, 1, [3, 4]))).toMatch(/in use by PCs 3, 4/);
    expect(deleteVersion(done, 1, []).versions.map((v) => v.n)).toEqual([2]);
  });

  it("retention keeps the newest N, the current one and every version in use", () => {
    const s: ImageState = {
      ...s0,
      versions: [1, 2, 3, 4, 5].map((n) => ({ n, path: `/store/master.v${n}.img`, sizeBytes: 1, createdAt: n })),
      current: 5,
      next: 6,
    };
    expect(expired(s, 2, () => false)).toEqual([1, 2, 3]);
    expect(expired(s, 2, (n) => n === 2)).toEqual([1, 3]);
    expect(expired({ ...s, current: 1 }, 2, () => false)).toEqual([2, 3]);
    expect(expired(s, 10, () => false)).toEqual([]);
  });

  it("a state file that is not one is refused, not guessed at", () => {
    expect(() => checkState({ format: 1, versions: [], current: 1, next: 2, draft: null, pcs: {} })).toThrow(/not valid/);
    expect(() => checkState({ ...s0, current: 9 })).toThrow(/not valid/);
    expect(() => checkState({ ...s0, next: 1 })).toThrow(/not valid/);
    expect(checkState(JSON.parse(JSON.stringify(s0)))).toEqual(s0);
  });

  it("the helper takes only plain decimals for image verbs", () => {
    const known = new Set([1, 2]);
    expect(parseHelperArgs(["image-update", "2"], known)).toEqual({ verb: "image-update", id: 2 });
    expect(parseHelperArgs(["image-current", "12"], known)).toEqual({ verb: "image-current", n: 12 });
    expect(() => parseHelperArgs(["image-update", "9"], known)).toThrow(/no machine 9/);
    expect(() => parseHelperArgs(["image-update", "1", "2"], known)).toThrow(/one machine id/);
    expect(() => parseHelperArgs(["image-delete", "v1"], known)).toThrow(/version number/);
    expect(() => parseHelperArgs(["image-delete", "/store/master.img"], known)).toThrow(/version number/);
    expect(() => parseHelperArgs(["image-publish", "hello"], known)).toThrow(/takes no arguments but --group <name>/);
    // A group: a name from the helper's own config, last, on the verbs that act on a group's versions.
    const groups = new Set(["retro", "newer"]);
    expect(parseHelperArgs(["image-publish", "--group", "newer"], known, groups)).toEqual({ verb: "image-publish", group: "newer" });
    expect(parseHelperArgs(["image-delete", "3", "--group", "retro"], known, groups)).toEqual({ verb: "image-delete", n: 3, group: "retro" });
    expect(parseHelperArgs(["images"], known, groups)).toEqual({ verb: "images" });
    expect(() => parseHelperArgs(["image-publish", "--group", "modern"], known, groups)).toThrow(/no group "modern" in the helper's config/);
    expect(() => parseHelperArgs(["image-publish", "--group", "../x"], known, groups)).toThrow(/no group/);
    expect(() => parseHelperArgs(["image-update", "2", "--group", "retro"], known, groups)).toThrow(/invalid machine id "--group"/);
    expect(() => parseHelperArgs(["reset", "2", "--group", "retro"], known, groups)).toThrow(/invalid machine id "--group"/);
  });
});

const config = parseConfig({
  host: "real",
  machines: [
    { id: 1, name: "pc1", ip: "10.0.0.41", dmName: "retrocow1" },
    { id: 2, name: "pc2", ip: "10.0.0.42", dmName: "retrocow2" },
    { id: 3, name: "pc3", ip: "10.0.0.43", dmName: "retrocow3" },
  ],
  defaults: { cowSizeMiB: 16, chunkSectors: 8, mode: "P" },
  storage: { master: "/store/master.img", cowDir: "/store", iqnPrefix: "iqn.2026-11.test.cowherd", reserveMiB: 64, keepVersions: 2 },
});

describe("image versions on a storage host (helper/storage, commands as argv arrays)", () => {
  let fake: SimKernel;
  let host: Storage;
  const steps: string[] = [];
  const make = (pid = 100) =>
    new Storage({ config, run: fake.runner, fs: fake.fs, dm: fake.worker, stateDir: "/run/cowherd", libDir: "/var/lib/cowherd-helper", pid, lockWaitMs: 300 });
  const state = () => JSON.parse(fake.files.get("/var/lib/cowherd-helper/images.json")!.text!) as ImageState;
  const loopOf = (file: string) => fake.loops.find((l) => l.backFile === file)!;
  const majMin = (file: string) => `7:${loopOf(file).name.replace("/dev/loop", "")}`;

  beforeEach(async () => {
    fake = new SimKernel();
    fake.addFile("/store/master.img", 64 * MiB);
    host = make();
    steps.length = 0;
    await host.up([1, 2, 3]);
    fake.calls = [];
  });

  it("update mode: free space first, a copy with progress, the draft read-write on a loop, exported to that PC only", async () => {
    const images = await host.imageUpdate(1, (id, step) => steps.push(`${id}:${step}`));
    expect(steps).toEqual([
      "1:image-space",
      "1:image-copy 0%",
      "1:image-copy 25%",
      "1:image-copy 50%",
      "1:image-copy 75%",
      "1:image-copy 100%",
      "1:image-export",
    ]);
    expect(fake.mutations()).toEqual([
      "copy /store/master.img /store/master.v2.draft",
      "/usr/sbin/losetup --find --show /store/master.v2.draft",
      "/usr/sbin/tgtadm --lld iscsi --op new --mode target --tid 1000 -T iqn.2026-11.test.cowherd:update",
      "/usr/sbin/tgtadm --lld iscsi --op bind --mode target --tid 1000 -I 10.0.0.41",
      "/usr/sbin/tgtadm --lld iscsi --op new --mode logicalunit --tid 1000 --lun 1 -b /dev/loop4 --bsoflags direct",
      // The system disk's identity, the one every PC's disk shows (helper/iscsi/identity.ts).
      "/usr/sbin/tgtadm --lld iscsi --op update --mode logicalunit --tid 1000 --lun 1 --params vendor_id=COWHERD,product_id=SYSTEM-DISK,scsi_id=COWHERD-SYSTEM,scsi_sn=CWHSYS1",
    ]);
    expect(images.draft).toMatchObject({
      n: 2,
      machine: 1,
      state: "ready",
      method: "copy",
      online: false,
      iqn: "iqn.2026-11.test.cowherd:update",
      copiedBytes: 64 * MiB,
    });
    expect(state().draft).toMatchObject({ n: 2, state: "ready", path: "/store/master.v2.draft" });
    // The PC's own snapshot, COW and LUN are untouched; a second update is refused.
    expect(fake.targets.get(1)!.lun1).toBe("/dev/mapper/retrocow1");
    await expect(host.imageUpdate(2, () => undefined)).rejects.toMatchObject({
      step: "refused",
      message: expect.stringMatching(/already in progress \(v2 on PC 1, ready\)/),
    });
  });

  it("refuses an update the image store has no room for, before anything is written", async () => {
    fake.freeBytes = 100 * MiB; // 64 MiB copy + 64 MiB reserve does not fit
    await expect(host.imageUpdate(1, () => undefined)).rejects.toMatchObject({
      step: "space",
      message: expect.stringMatching(
        /not enough space for a copy of v1: 100 MiB free on \/store, 64 MiB needed plus the 64 MiB reserve \(storage.reserveMiB\), and this filesystem cannot share blocks/,
      ),
    });
    expect(fake.mutations()).toEqual([]);
    expect(state().draft).toBeNull();
    expect(state().next).toBe(2);
  });

  it("a store without room for a real copy still takes one that shares the blocks (reflink)", async () => {
    fake.freeBytes = 100 * MiB;
    fake.reflink = true;
    const images = await host.imageUpdate(1, () => undefined);
    expect(images.draft).toMatchObject({ n: 2, state: "ready", method: "reflink" });
    expect(fake.calls).toContain("reflink /store/master.img /store/master.v2.draft");
  });

  it("a reflink is refused too when the store is already below its reserve (the update PC's writes would take space)", async () => {
    fake.freeBytes = 32 * MiB; // below the 64 MiB reserve
    fake.reflink = true;
    await expect(host.imageUpdate(1, () => undefined)).rejects.toMatchObject({ step: "space" });
    expect(state().draft).toBeNull();
  });

  it("an unreadable image state: status still reports every PC's numbers, each saying why, and claims no versions", async () => {
    fake.fs.writeDurable("/var/lib/cowherd-helper/images.json", "{ not json");
    const st = await host.status();
    expect(st.images).toBeUndefined();
    expect(st.machines).toHaveLength(3);
    expect(
      st.machines.every(
        (m) => m.state === "ok" && m.usedSectors !== undefined && /image versions' state cannot be read: .*images.json cannot be read/.test(m.problem ?? ""),
      ),
    ).toBe(true);
  });

  it("a copy that fails leaves no draft, no file, nothing exported", async () => {
    fake.failWhen.push((c) => (c.startsWith("copy ") ? "No space left on device" : null));
    await expect(host.imageUpdate(1, () => undefined)).rejects.toMatchObject({ step: "image-copy", message: expect.stringMatching(/No space left on device/) });
    expect(state().draft).toBeNull();
    expect(fake.files.has("/store/master.v2.draft")).toBe(false);
    expect(fake.targets.has(1000)).toBe(false);
  });

  it("publish: refused while the update PC is connected; then unexported, fsynced, read-only, renamed, current", async () => {
    await host.imageUpdate(1, () => undefined);
    fake.targets.get(1000)!.initiators = [{ iqn: "iqn.2010-01.lan.retrolan:initiator:pc1", ip: "10.0.0.41" }];
    // The update PC is up (on the update target): the grid and the reset refusal see it.
    expect((await host.status()).machines[0]).toMatchObject({ id: 1, online: true });
    await expect(host.imagePublish()).rejects.toMatchObject({
      step: "refused",
      message: expect.stringMatching(/pc1 is still connected to the update target \(v2\): shut it down first, then publish/),
    });
    await expect(host.imageDiscard()).rejects.toMatchObject({ step: "refused" });
    delete fake.targets.get(1000)!.initiators;
    fake.calls = [];
    const images = await host.imagePublish();
    expect(fake.mutations()).toEqual([
      "/usr/sbin/tgtadm --lld iscsi --op delete --mode logicalunit --tid 1000 --lun 1",
      "/usr/sbin/tgtadm --lld iscsi --op delete --force --mode target --tid 1000",
      "/usr/sbin/losetup --detach /dev/loop4",
      "fsync /store/master.v2.draft",
      "chmod 444 /store/master.v2.draft",
      "rename /store/master.v2.draft /store/master.v2.img",
      "/usr/sbin/losetup --find --show --read-only /store/master.v2.img",
    ]);
    expect(images).toMatchObject({ current: 2, draft: null });
    expect(images.versions.map((v) => [v.n, v.attached, v.machines])).toEqual([
      [1, true, [1, 2, 3]],
      [2, true, []],
    ]);
  });

  it("a reset that moves PCs unpins the version once (its pin released exactly one time)", async () => {
    await host.imageUpdate(1, () => undefined);
    await host.imagePublish();
    const unpin = vi.spyOn(host.images, "unpin");
    const [r] = await host.reset([2], () => undefined);
    expect(r).toMatchObject({ ok: true, outcome: "fresh" });
    expect(unpin).toHaveBeenCalledTimes(1);
    expect(fake.fs.list("/run/cowherd").filter((f) => f.startsWith("pin-"))).toEqual([]);
  });

  it("PCs move to the current version at their next reset; the others stay on theirs with it attached; delete refuses a version in use", async () => {
    await host.imageUpdate(1, () => undefined);
    await host.imagePublish();
    const v1 = majMin("/store/master.img");
    const v2 = majMin("/store/master.v2.img");
    fake.calls = [];
    const [r] = await host.reset([2], () => undefined);
    expect(r).toMatchObject({ ok: true, outcome: "fresh" });
    const cow2 = majMin("/store/retrocow2.cow");
    expect(fake.mutations()).toEqual([
      "worker wipe retrocow2 131072",
      "zero-header /store/retrocow2.cow",
      `worker load retrocow2 0 131072 snapshot ${v2} ${cow2} P 8`,
      "worker resume retrocow2",
    ]);
    expect(state().pcs).toEqual({ "1": 1, "2": 2, "3": 1 });
    const st = await host.status();
    expect(st.machines.map((m) => [m.id, m.version, m.problem])).toEqual([
      [1, 1, undefined],
      [2, 2, undefined],
      [3, 1, undefined],
    ]);
    expect(st.images!.versions.map((v) => [v.n, v.attached, v.machines])).toEqual([
      [1, true, [1, 3]],
      [2, true, [2]],
    ]);
    expect(fake.dm.get("retrocow3")!.live).toContain(`snapshot ${v1} `);
    await expect(host.imageDelete(1)).rejects.toMatchObject({ step: "refused", message: "v1 is in use by PCs 1, 3: they move off it at their next reset" });
    await expect(host.imageDelete(2)).rejects.toMatchObject({ step: "refused", message: expect.stringMatching(/v2 is the current version/) });

    // Rollback: v1 current again; PC 2 goes back to it at its reset and v2's loop goes (v2 stays).
    await host.imageCurrent(1);
    await host.reset([2], () => undefined);
    expect(fake.dm.get("retrocow2")!.live).toContain(`snapshot ${v1} `);
    expect(fake.loops.some((l) => l.backFile === "/store/master.v2.img")).toBe(false);
    expect((await host.imageList()).versions.map((v) => [v.n, v.attached, v.machines])).toEqual([
      [1, true, [1, 2, 3]],
      [2, false, []],
    ]);
    // Up after a reboot builds each PC over its recorded version (v2 attached again for a PC on it).
    await host.imageCurrent(2);
    await host.reset([3], () => undefined);
    await host.down([3]);
    fake.loops = fake.loops.filter((l) => l.backFile !== "/store/master.v2.img");
    await host.up([3]);
    expect(fake.dm.get("retrocow3")!.live).toContain(`snapshot ${majMin("/store/master.v2.img")} `);
    // v1 can go once nobody sits on it.
    await host.reset([1, 2], () => undefined);
    const after = await host.imageDelete(1);
    expect(after.versions.map((v) => v.n)).toEqual([2]);
    expect(fake.files.has("/store/master.img")).toBe(false);
  });

  it("retention: past keepVersions, old versions go once no PC sits on them", async () => {
    for (let i = 0; i < 3; i++) {
      await host.imageUpdate(1, () => undefined);
      await host.imagePublish();
    }
    // v1 is still used by every PC: kept beyond the limit of 2.
    expect((await host.imageList()).versions.map((v) => v.n)).toEqual([1, 3, 4]);
    expect(fake.files.has("/store/master.v2.img")).toBe(false);
    await host.reset([1, 2, 3], () => undefined);
    expect((await host.imageList()).versions.map((v) => v.n)).toEqual([3, 4]);
    expect(fake.files.has("/store/master.img")).toBe(false);
  });

  it("discard: the export, the loop and the draft go; a copy still running stops", async () => {
    await host.imageUpdate(1, () => undefined);
    fake.calls = [];
    expect((await host.imageDiscard()).draft).toBeNull();
    expect(fake.mutations()).toEqual([
      "/usr/sbin/tgtadm --lld iscsi --op delete --mode logicalunit --tid 1000 --lun 1",
      "/usr/sbin/tgtadm --lld iscsi --op delete --force --mode target --tid 1000",
      "/usr/sbin/losetup --detach /dev/loop4",
    ]);
    expect(fake.files.has("/store/master.v3.draft") || fake.files.has("/store/master.v2.draft")).toBe(false);

    let release!: () => void;
    let held = 0;
    fake.copyGate = () => (++held === 2 ? new Promise<void>((r) => (release = r)) : Promise.resolve());
    const running = host.imageUpdate(2, () => undefined);
    await new Promise((r) => setTimeout(r, 20));
    expect((await host.imageList()).draft).toMatchObject({ n: 3, state: "copying", copiedBytes: 16 * MiB });
    await expect(host.imagePublish()).rejects.toMatchObject({ step: "refused", message: expect.stringMatching(/v3 is still being copied/) });
    await host.imageDiscard();
    release();
    await expect(running).rejects.toMatchObject({
      step: "image-copy",
      message: expect.stringMatching(/copying v1 to \/store\/master.v3.draft failed: the copy was stopped \(the draft was discarded\)/),
    });
    expect(fake.files.has("/store/master.v3.draft")).toBe(false);
    expect(state().draft).toBeNull();
  });

  it("crash safety: a draft a dead process left copying is deleted by repair; a publish past its rename is finished", async () => {
    let release!: () => void;
    fake.copyGate = () => new Promise<void>((r) => (release = r));
    const dead = make(4242);
    void dead.imageUpdate(1, () => undefined).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    expect(state().draft).toMatchObject({ state: "copying", pid: 4242 });
    expect(fake.files.has("/store/master.v2.draft")).toBe(true);
    // The agent starts again (process 4242 is gone: no /proc/4242): its start-up repair.
    const repaired = await make(200).repair([1, 2, 3]);
    expect(repaired[0]).toEqual({ id: 0, ok: true, actions: ["draft-v2-deleted"] });
    expect(state().draft).toBeNull();
    expect(fake.files.has("/store/master.v2.draft")).toBe(false);
    fake.copyGate = null;
    release();

    // A publish killed right after its rename: the version file is complete and read-only.
    await host.imageUpdate(1, () => undefined);
    const s = state();
    fake.fs.rename(s.draft!.path, "/store/master.v3.img");
    fake.fs.writeDurable("/var/lib/cowherd-helper/images.json", JSON.stringify({ ...s, draft: { ...s.draft!, state: "publishing" } }));
    const r = await make(300).repair([1, 2, 3]);
    expect(r[0]).toEqual({ id: 0, ok: true, actions: ["v3-published"] });
    expect(state()).toMatchObject({ current: 3, draft: null });
    expect(fake.targets.has(1000)).toBe(false);
  });

  it("locks: a reset holds only its PCs' locks (the image lock for a moment), so verbs on other PCs go ahead", async () => {
    fake.lockedElsewhere.add("/run/cowherd/pc-1.lock");
    expect((await host.reset([2], () => undefined))[0]).toMatchObject({ ok: true });
    expect((await host.up([3]))[0]).toMatchObject({ ok: true });
    await expect(host.imageCurrent(1)).resolves.toMatchObject({ current: 1 });
    fake.lockedElsewhere.clear();
    // The image lock held elsewhere (an image step in another process): a reset waits, then says so.
    fake.lockedElsewhere.add("/run/cowherd/images.lock");
    await expect(host.reset([2], () => undefined)).rejects.toMatchObject({
      step: "lock",
      message: expect.stringMatching(/image versions are locked by another cowherd-helper process/),
    });
    expect(fake.locks.size).toBe(0);
  });

  it("a version a reset in flight moves PCs onto is pinned: not deleted, not detached; pins of dead processes do not count", async () => {
    await host.imageUpdate(1, () => undefined);
    await host.imagePublish();
    // Another helper process (pid 555, alive) is resetting PCs onto v2 while v1 is made current again.
    fake.spawn(555);
    fake.fs.writeAtomic("/run/cowherd/pin-555-1.json", JSON.stringify({ n: 2 }));
    await host.imageCurrent(1);
    expect(fake.loops.some((l) => l.backFile === "/store/master.v2.img")).toBe(true);
    await expect(host.imageDelete(2)).rejects.toMatchObject({ step: "refused", message: "a reset is moving PCs onto v2 right now: try again in a moment" });
    fake.kill(555);
    expect((await host.imageDelete(2)).versions.map((v) => v.n)).toEqual([1]);
    expect(fake.files.has("/run/cowherd/pin-555-1.json")).toBe(false);
  });

  it("a version of another size is refused at check, before anything changes", async () => {
    await host.imageUpdate(1, () => undefined);
    await host.imagePublish();
    fake.files.get("/store/master.v2.img")!.size = 32 * MiB;
    fake.calls = [];
    const [r] = await host.reset([2], () => undefined);
    expect(r).toMatchObject({
      ok: false,
      failedStep: "check",
      outcome: "kept-old",
      error: expect.stringMatching(/v2 has 65536 sectors but retrocow2 has 131072: every version must be the same size/),
    });
    expect(fake.mutations()).toEqual([]);
  });
});
