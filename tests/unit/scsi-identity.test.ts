import { describe, expect, it } from "vitest";
import { exportSteps, exportedFor, type ExportSpec } from "@/helper/iscsi/backend";
import { SCSI_CHARS, SCSI_LIMITS, checkIdentity, diskIdentity, type DiskKind } from "@/helper/iscsi/identity";
import { ietBackend } from "@/helper/iscsi/iet";
import { lioBackend } from "@/helper/iscsi/lio";
import { parseTgtShow, tgtBackend } from "@/helper/iscsi/tgt";
import { Storage } from "@/helper/storage/storage";
import { StorageContext } from "@/helper/storage/context";
import { parseConfig } from "@/lib/config/load";
import { UPDATE_TID, updateIqn } from "@/lib/host/images";
import { SimKernel } from "@/lib/host/sim/kernel/kernel";

const argv = (cmds: { file: string; args: string[] }[]) => cmds.map((c) => [c.file, ...c.args].join(" "));
const spec: ExportSpec = {
  tid: 5,
  iqn: "iqn.2010-01.lan.retrolan:retrocow5",
  name: "retrocow5",
  device: "/dev/mapper/retrocow5",
  allow: "10.0.0.45",
  identity: diskIdentity("system"),
};

describe("the system disk's SCSI identity", () => {
  it("is one identity for the disk, the same every time, within SCSI's sizes and plain characters", () => {
    expect(diskIdentity("system")).toEqual({ vendor: "COWHERD", product: "SYSTEM-DISK", deviceId: "COWHERD-SYSTEM", serial: "CWHSYS1" });
    expect(diskIdentity("system")).toEqual(diskIdentity("system"));
    const x = diskIdentity("system");
    for (const k of ["vendor", "product", "deviceId", "serial"] as const) {
      expect(x[k]).toMatch(SCSI_CHARS);
      expect(x[k].length).toBeLessThanOrEqual(SCSI_LIMITS[k]);
    }
    // A copy: a caller changing it changes no other disk's.
    x.serial = "OTHER";
    expect(diskIdentity("system").serial).toBe("CWHSYS1");
  });

  it("refuses an unknown disk kind and a field a target would cut or refuse", () => {
    expect(() => diskIdentity("tape" as DiskKind)).toThrow(/no SCSI identity for a "tape" disk \(known: system, game\)/);
    expect(() => diskIdentity("toString" as DiskKind)).toThrow(/no SCSI identity/);
    const ok = diskIdentity("system");
    expect(() => checkIdentity({ ...ok, serial: "CWHSYS123" })).toThrow(/serial "CWHSYS123": at most 8 characters/);
    expect(() => checkIdentity({ ...ok, deviceId: "COWHERD,SYSTEM" })).toThrow(/deviceId/);
    expect(() => checkIdentity({ ...ok, vendor: "cowherd" })).toThrow(/vendor/);
    expect(checkIdentity(ok)).toEqual(ok);
  });

  it("is the same for every PC, whichever storage host, room name or backend config serves it, and for the update target", () => {
    const base = {
      host: "real",
      machines: [
        { id: 7, name: "pc7", ip: "10.0.0.47", dmName: "retrocow7" },
        { id: 8, name: "pc8", ip: "10.0.0.48", dmName: "retrocow8" },
      ],
      storage: { master: "/store/master.img", cowDir: "/store", iqnPrefix: "iqn.2026-11.test.cowherd" },
    };
    const other = {
      ...base,
      lanName: "Another room",
      hosts: [
        { name: "a", transport: "local" },
        { name: "b", transport: "local" },
      ],
      machines: [{ id: 7, name: "renamed", ip: "10.0.1.7", dmName: "other7", host: "b" }],
    };
    const ctx = (c: unknown) =>
      new StorageContext({ config: parseConfig(c), run: new SimKernel().runner, fs: new SimKernel().fs, dm: new SimKernel().worker, stateDir: "/run/cowherd" });
    const a = ctx(base);
    const b = ctx(other);
    const system = diskIdentity("system");
    expect(a.spec(a.machine(7)).identity).toEqual(system);
    expect(a.spec(a.machine(8)).identity).toEqual(system);
    expect(b.spec(b.machine(7)).identity).toEqual(system);
  });
});

describe("setting it on each target", () => {
  it("tgt: one update of LUN 1 after it is made, with tgtd's own parameter names", () => {
    expect(argv(tgtBackend.lunIdentity(spec))).toEqual([
      "/usr/sbin/tgtadm --lld iscsi --op update --mode logicalunit --tid 5 --lun 1 --params vendor_id=COWHERD,product_id=SYSTEM-DISK,scsi_id=COWHERD-SYSTEM,scsi_sn=CWHSYS1",
    ]);
    expect(tgtBackend.lunIdentity({ ...spec, identity: undefined })).toEqual([]);
    expect(exportSteps(tgtBackend, spec, undefined).map((x) => x.action)).toEqual(["target-created", "lun-online", "lun-identity"]);
  });

  it("IET: with the LUN (ScsiId, ScsiSN); LIO: the backstore's unit serial before the LUN exports it", () => {
    expect(argv(ietBackend.lunOnline(spec))).toEqual([
      "/usr/sbin/ietadm --op new --tid 5 --lun 0 --params Path=/dev/mapper/retrocow5,Type=fileio,ScsiId=COWHERD-SYSTEM,ScsiSN=CWHSYS1",
    ]);
    expect(ietBackend.lunIdentity(spec)).toEqual([]);
    const lio = lioBackend(() => [spec]);
    expect(argv(lio.lunOnline(spec))[0]).toMatch(/targetcli \/backstores\/block create name=retrocow5 dev=\/dev\/mapper\/retrocow5 wwn=CWHSYS1$/);
    expect(lio.lunIdentity(spec)).toEqual([]);
    // Without an identity, the commands are what they were.
    expect(argv(ietBackend.lunOnline({ ...spec, identity: undefined }))[0]).toMatch(/Path=\/dev\/mapper\/retrocow5,Type=fileio$/);
    expect(argv(lio.lunOnline({ ...spec, identity: undefined }))[0]).toMatch(/dev=\/dev\/mapper\/retrocow5$/);
  });

  it("tgt shows each LUN's serial: a LUN left with tgtd's default (killed between new and update) is not exported, and only the update is missing", () => {
    const show = (sn: string) =>
      `Target 5: ${spec.iqn}\n    LUN information:\n        LUN: 0\n            Type: controller\n            SCSI SN: beaf50\n            Backing store path: None\n        LUN: 1\n            Type: disk\n            SCSI ID: IET     00050001\n            SCSI SN: ${sn}\n            Backing store path: /dev/mapper/retrocow5\n    Account information:\n    ACL information:\n        10.0.0.45\n`;
    const bad = parseTgtShow(show("beaf51")).get(spec.iqn)!;
    expect(bad.serials).toEqual(
      new Map([
        [0, "beaf50"],
        [1, "beaf51"],
      ]),
    );
    expect(exportedFor(tgtBackend, spec, bad)).toBe(false);
    expect(exportSteps(tgtBackend, spec, bad).map((x) => x.action)).toEqual(["lun-identity"]);
    const good = parseTgtShow(show("CWHSYS1")).get(spec.iqn)!;
    expect(exportedFor(tgtBackend, spec, good)).toBe(true);
    expect(exportSteps(tgtBackend, spec, good)).toEqual([]);
    // A spec without an identity: any serial will do.
    expect(exportedFor(tgtBackend, { ...spec, identity: undefined }, bad)).toBe(true);
  });
});

describe("on the simulated kernel", () => {
  const config = parseConfig({
    host: "real",
    machines: [
      { id: 1, name: "pc1", ip: "10.0.0.41", dmName: "retrocow1" },
      { id: 2, name: "pc2", ip: "10.0.0.42", dmName: "retrocow2" },
    ],
    defaults: { cowSizeMiB: 16, chunkSectors: 8, mode: "P" },
    storage: { master: "/store/master.img", cowDir: "/store", iqnPrefix: "iqn.2026-11.test.cowherd", reserveMiB: 64 },
  });
  const setUp = () => {
    const fake = new SimKernel();
    fake.addFile("/store/master.img", 64 * 1048576);
    const host = new Storage({ config, run: fake.runner, fs: fake.fs, dm: fake.worker, stateDir: "/run/cowherd", pid: 100, lockWaitMs: 300 });
    return { fake, host };
  };
  const serials = (fake: SimKernel) => [...parseTgtShow(fake.tgt.show()).values()].map((t) => t.serials?.get(1));

  it("tgtadm shows the identity after up, and it stays through a reset and a tgtd restart + repair or up", async () => {
    const { fake, host } = setUp();
    await host.up([1, 2]);
    expect(serials(fake)).toEqual(["CWHSYS1", "CWHSYS1"]);
    expect(fake.tgt.identity(1)).toEqual({ vendor_id: "COWHERD", product_id: "SYSTEM-DISK", scsi_id: "COWHERD-SYSTEM", scsi_sn: "CWHSYS1" });
    const before = fake.tgt.show();

    expect((await host.reset([1], () => undefined))[0]).toMatchObject({ ok: true });
    expect(fake.tgt.show()).toBe(before);

    fake.tgtdDown = true;
    fake.tgtdDown = false;
    expect(fake.tgt.show()).toBe("");
    expect((await host.repair([1, 2])).filter((r) => r.id > 0).map((r) => r.actions)).toEqual([
      ["target-created", "lun-online", "lun-identity"],
      ["target-created", "lun-online", "lun-identity"],
    ]);
    expect(fake.tgt.show()).toBe(before);

    fake.tgtdDown = true;
    fake.tgtdDown = false;
    await host.up([1, 2]);
    expect(fake.tgt.show()).toBe(before);
    expect(fake.tgt.identity(2)).toEqual({ vendor_id: "COWHERD", product_id: "SYSTEM-DISK", scsi_id: "COWHERD-SYSTEM", scsi_sn: "CWHSYS1" });
  });

  it("image update: the update target's LUN shows the same identity as every PC's disk, and repair puts it back", async () => {
    const { fake, host } = setUp();
    await host.up([1, 2]);
    const pcs = fake.tgt.identity(1);
    await host.imageUpdate(2, () => undefined);
    // The Windows set up on the draft meets, after each reset, exactly the disk it last ran on.
    expect(fake.tgt.identity(UPDATE_TID)).toEqual(pcs);
    expect(fake.tgt.identity(UPDATE_TID)).toEqual({ vendor_id: "COWHERD", product_id: "SYSTEM-DISK", scsi_id: "COWHERD-SYSTEM", scsi_sn: "CWHSYS1" });
    expect(parseTgtShow(fake.tgt.show()).get(updateIqn(config.storage.iqnPrefix))?.serials?.get(1)).toBe("CWHSYS1");

    // A kill between the LUN and its identity: repair sends only the update.
    delete fake.targets.get(UPDATE_TID)!.lun1Identity;
    fake.calls = [];
    expect((await host.repair([1, 2]))[0]).toEqual({ id: 0, ok: true, actions: ["draft-v2-exported"] });
    expect(fake.mutations()).toEqual([
      `/usr/sbin/tgtadm --lld iscsi --op update --mode logicalunit --tid ${UPDATE_TID} --lun 1 --params vendor_id=COWHERD,product_id=SYSTEM-DISK,scsi_id=COWHERD-SYSTEM,scsi_sn=CWHSYS1`,
    ]);
    expect(fake.tgt.identity(UPDATE_TID)).toEqual(pcs);

    // tgtd restarted: repair exports the draft again with the same identity.
    fake.tgtdDown = true;
    fake.tgtdDown = false;
    await host.repair([1, 2]);
    expect(fake.tgt.identity(UPDATE_TID)).toEqual(pcs);
    expect(fake.tgt.identity(2)).toEqual(pcs);
  });

  it("a LUN made but never given its identity (a kill between the two tgtadm calls) is repaired with only the update", async () => {
    const { fake, host } = setUp();
    await host.up([1]);
    delete fake.targets.get(1)!.lun1Identity;
    expect(serials(fake)).toEqual(["beaf11"]);
    // Usable (an initiator logs in), so exported; but status says what is wrong with it.
    const st = (await host.status()).machines.find((m) => m.id === 1);
    expect(st?.exported).toBe(true);
    expect(st?.problem).toBe(
      "its LUN shows SCSI serial beaf11, not the system disk's CWHSYS1: Windows takes it for a new disk and may not boot; run 'cowherd-helper repair' (a reset sets it too)",
    );
    fake.calls = [];
    expect((await host.repair([1])).find((r) => r.id === 1)).toEqual({ id: 1, ok: true, actions: ["lun-identity"] });
    expect(fake.mutations()).toEqual([
      "/usr/sbin/tgtadm --lld iscsi --op update --mode logicalunit --tid 1 --lun 1 --params vendor_id=COWHERD,product_id=SYSTEM-DISK,scsi_id=COWHERD-SYSTEM,scsi_sn=CWHSYS1",
    ]);
    expect(serials(fake)).toEqual(["CWHSYS1"]);
    expect((await host.status()).machines.find((m) => m.id === 1)?.problem).toBeUndefined();
  });

  it("tgtadm's update: tgtd's field sizes, other known parameters accepted, an unknown one refused, no LUN refused", () => {
    const fake = new SimKernel();
    fake.addFile("/dev/mapper/x", 1048576);
    const tgt = (...a: string[]) => fake.tgt.command(a);
    expect(tgt("--op", "new", "--mode", "target", "--tid", "3", "-T", "iqn.2026-11.test:x").code).toBe(0);
    expect(tgt("--op", "update", "--mode", "logicalunit", "--tid", "3", "--lun", "1", "--params", "scsi_sn=A").stderr).toMatch(/can't find the logical unit/);
    expect(tgt("--op", "new", "--mode", "logicalunit", "--tid", "3", "--lun", "1", "-b", "/dev/mapper/x").code).toBe(0);
    expect(fake.tgt.identity(3)).toEqual({ vendor_id: "IET", product_id: "VIRTUAL-DISK", scsi_id: "IET     00030001", scsi_sn: "beaf31" });
    expect(
      tgt("--op", "update", "--mode", "logicalunit", "--tid", "3", "--lun", "1", "--params", "vendor_id=ABCDEFGHIJ,product_rev=0010,removable=0").code,
    ).toBe(0);
    expect(fake.tgt.identity(3)?.vendor_id).toBe("ABCDEFGH");
    expect(tgt("--op", "update", "--mode", "logicalunit", "--tid", "3", "--lun", "1", "--params", "colour=red").stderr).toMatch(/unknown parameter/);
  });
});
