import { describe, expect, it } from "vitest";
import { exportSteps, exportedFor, type ExportSpec } from "@/helper/iscsi/backend";
import { SCSI_CHARS, SCSI_LIMITS, diskIdentity } from "@/helper/iscsi/identity";
import { ietBackend } from "@/helper/iscsi/iet";
import { lioBackend } from "@/helper/iscsi/lio";
import { parseTgtShow, tgtBackend } from "@/helper/iscsi/tgt";
import { Storage } from "@/helper/storage/storage";
import { StorageContext } from "@/helper/storage/context";
import { parseConfig } from "@/lib/config/load";
import { MACHINE_ID_MAX } from "@/lib/constants";
import { SimKernel } from "@/lib/host/sim/kernel/kernel";

const argv = (cmds: { file: string; args: string[] }[]) => cmds.map((c) => [c.file, ...c.args].join(" "));
const spec: ExportSpec = {
  tid: 5,
  iqn: "iqn.2010-01.lan.retrolan:retrocow5",
  name: "retrocow5",
  device: "/dev/mapper/retrocow5",
  allow: "10.0.0.45",
  identity: diskIdentity(5),
};

describe("a PC disk's SCSI identity", () => {
  it("comes from the PC's number alone: the same every time, within SCSI's sizes and plain characters", () => {
    expect(diskIdentity(5)).toEqual({ vendor: "COWHERD", product: "SYSTEM-DISK", deviceId: "COWHERD-CWH0005", serial: "CWH0005" });
    expect(diskIdentity(5)).toEqual(diskIdentity(5));
    for (const id of [1, 42, MACHINE_ID_MAX]) {
      const x = diskIdentity(id);
      for (const k of ["vendor", "product", "deviceId", "serial"] as const) {
        expect(x[k]).toMatch(SCSI_CHARS);
        expect(x[k].length).toBeLessThanOrEqual(SCSI_LIMITS[k]);
      }
    }
  });

  it("differs for every PC (serial and device id)", () => {
    const ids = Array.from({ length: MACHINE_ID_MAX }, (_, i) => i + 1).map(diskIdentity);
    expect(new Set(ids.map((x) => x.serial)).size).toBe(MACHINE_ID_MAX);
    expect(new Set(ids.map((x) => x.deviceId)).size).toBe(MACHINE_ID_MAX);
  });

  it("is refused for a number that is not a PC's", () => {
    for (const bad of [0, -1, 1.5, MACHINE_ID_MAX + 1, Number.NaN]) expect(() => diskIdentity(bad)).toThrow(/not a PC number/);
  });

  it("is the same for a PC whichever storage host, room name or backend config serves it", () => {
    const base = {
      host: "real",
      machines: [{ id: 7, name: "pc7", ip: "10.0.0.47", dmName: "retrocow7" }],
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
    expect(a.spec(a.machine(7)).identity).toEqual(diskIdentity(7));
    expect(b.spec(b.machine(7)).identity).toEqual(a.spec(a.machine(7)).identity);
  });
});

describe("setting it on each target", () => {
  it("tgt: one update of LUN 1 after it is made, with tgtd's own parameter names", () => {
    expect(argv(tgtBackend.lunIdentity(spec))).toEqual([
      "/usr/sbin/tgtadm --lld iscsi --op update --mode logicalunit --tid 5 --lun 1 --params vendor_id=COWHERD,product_id=SYSTEM-DISK,scsi_id=COWHERD-CWH0005,scsi_sn=CWH0005",
    ]);
    expect(tgtBackend.lunIdentity({ ...spec, identity: undefined })).toEqual([]);
    expect(exportSteps(tgtBackend, spec, undefined).map((x) => x.action)).toEqual(["target-created", "lun-online", "lun-identity"]);
  });

  it("IET: with the LUN (ScsiId, ScsiSN); LIO: the backstore's unit serial before the LUN exports it", () => {
    expect(argv(ietBackend.lunOnline(spec))).toEqual([
      "/usr/sbin/ietadm --op new --tid 5 --lun 0 --params Path=/dev/mapper/retrocow5,Type=fileio,ScsiId=COWHERD-CWH0005,ScsiSN=CWH0005",
    ]);
    expect(ietBackend.lunIdentity(spec)).toEqual([]);
    const lio = lioBackend(() => [spec]);
    expect(argv(lio.lunOnline(spec))[0]).toMatch(/targetcli \/backstores\/block create name=retrocow5 dev=\/dev\/mapper\/retrocow5 wwn=CWH0005$/);
    expect(lio.lunIdentity(spec)).toEqual([]);
    // Without an identity (the update target), the commands are what they were.
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
    const good = parseTgtShow(show("CWH0005")).get(spec.iqn)!;
    expect(exportedFor(tgtBackend, spec, good)).toBe(true);
    expect(exportSteps(tgtBackend, spec, good)).toEqual([]);
    // The update target has no identity of its own: any serial will do.
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
    expect(serials(fake)).toEqual(["CWH0001", "CWH0002"]);
    expect(fake.tgt.identity(1)).toEqual({ vendor_id: "COWHERD", product_id: "SYSTEM-DISK", scsi_id: "COWHERD-CWH0001", scsi_sn: "CWH0001" });
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
    expect(fake.tgt.identity(2)).toEqual({ vendor_id: "COWHERD", product_id: "SYSTEM-DISK", scsi_id: "COWHERD-CWH0002", scsi_sn: "CWH0002" });
  });

  it("a LUN made but never given its identity (a kill between the two tgtadm calls) is repaired with only the update", async () => {
    const { fake, host } = setUp();
    await host.up([1]);
    delete fake.targets.get(1)!.lun1Identity;
    expect(serials(fake)).toEqual(["beaf11"]);
    expect((await host.status()).machines.find((m) => m.id === 1)?.exported).toBe(true);
    fake.calls = [];
    expect((await host.repair([1])).find((r) => r.id === 1)).toEqual({ id: 1, ok: true, actions: ["lun-identity"] });
    expect(fake.mutations()).toEqual([
      "/usr/sbin/tgtadm --lld iscsi --op update --mode logicalunit --tid 1 --lun 1 --params vendor_id=COWHERD,product_id=SYSTEM-DISK,scsi_id=COWHERD-CWH0001,scsi_sn=CWH0001",
    ]);
    expect(serials(fake)).toEqual(["CWH0001"]);
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
