import { describe, expect, it } from "vitest";
import { parseTgtShow, tgtBackend } from "@/helper/iscsi/tgt";
import { IET_SESSION, IET_VOLUME, ietBackend, parseIet } from "@/helper/iscsi/iet";
import { lioBackend, lioPaths, parseLio } from "@/helper/iscsi/lio";
import { exportSteps, exportedFor, type ExportSpec } from "@/helper/iscsi/backend";

const spec: ExportSpec = { tid: 5, iqn: "iqn.2010-01.lan.retrolan:retrocow5", name: "retrocow5", device: "/dev/mapper/retrocow5", allow: "10.0.0.45" };

// As printed by tgt 1.0.85 (trimmed of fields the parser ignores).
const TGT_SHOW = `Target 1: iqn.2010-01.lan.retrolan:retrocow1
    System information:
        Driver: iscsi
        State: ready
    I_T nexus information:
        I_T nexus: 3
            Initiator: iqn.2008-11.org.linux-kvm alias: none
            Connection: 0
                IP Address: 127.0.0.1
    LUN information:
        LUN: 0
            Type: controller
            SCSI ID: IET     00010000
            Backing store type: null
            Backing store path: None
            Backing store flags: 
        LUN: 1
            Type: disk
            SCSI ID: IET     00010001
            Size: 67109 MB, Block size: 512
            Backing store type: rdwr
            Backing store path: /dev/mapper/retrocow1
            Backing store flags: direct
    Account information:
    ACL information:
        ALL
Target 2: iqn.2010-01.lan.retrolan:retrocow2
    System information:
        Driver: iscsi
        State: ready
    I_T nexus information:
    LUN information:
        LUN: 0
            Type: controller
            Backing store path: None
    Account information:
    ACL information:
        10.0.0.42
`;

describe("tgt", () => {
  it("parses targets, LUN backing paths and connected initiators with their IPs and sessions", () => {
    const v = parseTgtShow(TGT_SHOW);
    const t1 = v.get("iqn.2010-01.lan.retrolan:retrocow1")!;
    expect(t1.tid).toBe(1);
    expect([...t1.luns]).toEqual([[1, "/dev/mapper/retrocow1"]]);
    expect(t1.initiators).toEqual([{ iqn: "iqn.2008-11.org.linux-kvm", ip: "127.0.0.1", session: "3" }]);
    const t2 = v.get("iqn.2010-01.lan.retrolan:retrocow2")!;
    expect(t2.luns.size).toBe(0);
    expect(t2.initiators).toEqual([]);
    expect(parseTgtShow("").size).toBe(0);
  });

  it("reads each target's ACL: a target made but never bound lets nobody in, and is not exported", () => {
    const v = parseTgtShow(
      TGT_SHOW +
        "Target 3: iqn.2010-01.lan.retrolan:retrocow3\n    LUN information:\n        LUN: 1\n            Backing store path: /dev/mapper/retrocow3\n    Account information:\n    ACL information:\n",
    );
    expect(v.get("iqn.2010-01.lan.retrolan:retrocow1")!.acl).toEqual(["ALL"]);
    expect(v.get("iqn.2010-01.lan.retrolan:retrocow2")!.acl).toEqual(["10.0.0.42"]);
    const t3 = v.get("iqn.2010-01.lan.retrolan:retrocow3")!;
    expect(t3.acl).toEqual([]);
    const s3 = { ...spec, tid: 3, iqn: t3.iqn, device: "/dev/mapper/retrocow3" };
    expect(exportedFor(tgtBackend, s3, t3)).toBe(false);
    expect(exportSteps(tgtBackend, s3, t3).map((x) => x.action)).toEqual(["target-bound"]);
    expect(
      exportedFor(tgtBackend, { allow: "10.0.0.42" }, { ...v.get("iqn.2010-01.lan.retrolan:retrocow2")!, luns: new Map([[1, "/dev/mapper/retrocow2"]]) }),
    ).toBe(true);
    expect(
      exportedFor(tgtBackend, { allow: "10.0.0.43" }, { ...v.get("iqn.2010-01.lan.retrolan:retrocow2")!, luns: new Map([[1, "/dev/mapper/retrocow2"]]) }),
    ).toBe(false);
    expect(exportSteps(tgtBackend, spec, undefined).map((x) => [x.action, x.cmds.length])).toEqual([
      ["target-created", 2],
      ["lun-online", 1],
    ]);
  });

  it("builds argv for target, bind, LUN 1 with direct I/O, and LUN delete", () => {
    const argv = (cmds: { file: string; args: string[] }[]) => cmds.map((c) => [c.file, ...c.args].join(" "));
    expect(argv([...tgtBackend.createTarget(spec), ...tgtBackend.bind(spec)])).toEqual([
      "/usr/sbin/tgtadm --lld iscsi --op new --mode target --tid 5 -T iqn.2010-01.lan.retrolan:retrocow5",
      "/usr/sbin/tgtadm --lld iscsi --op bind --mode target --tid 5 -I 10.0.0.45",
    ]);
    expect(argv(tgtBackend.lunOnline(spec))).toEqual([
      "/usr/sbin/tgtadm --lld iscsi --op new --mode logicalunit --tid 5 --lun 1 -b /dev/mapper/retrocow5 --bsoflags direct",
    ]);
    expect(argv(tgtBackend.lunOffline(spec))).toEqual(["/usr/sbin/tgtadm --lld iscsi --op delete --mode logicalunit --tid 5 --lun 1"]);
    expect(argv(tgtBackend.deleteTarget(spec))).toEqual(["/usr/sbin/tgtadm --lld iscsi --op delete --force --mode target --tid 5"]);
    for (const c of [...tgtBackend.createTarget(spec), ...tgtBackend.lunOnline(spec)]) expect(c.timeoutMs).toBeGreaterThan(0);
  });
});

describe("IET", () => {
  const volume =
    "tid:1 name:iqn.2010-01.lan.someplace.iscsihost:pc1\n\tlun:0 state:0 iotype:fileio iomode:wt blocks:8385930 blocksize:512 path:/dev/mapper/pc1\ntid:2 name:iqn.2010-01.lan.someplace.iscsihost:pc2\n";
  const session =
    "tid:1 name:iqn.2010-01.lan.someplace.iscsihost:pc1\n\tsid:281474997486080 initiator:iqn.1991-05.com.microsoft:retro-01\n\t\tcid:0 ip:10.0.0.41 state:active hd:none dd:none\n" +
    "tid:2 name:iqn.2010-01.lan.someplace.iscsihost:pc2\n\tsid:562949974196736 initiator:iqn.1991-05.com.microsoft:retro-02\n";
  it("parses /proc/net/iet/volume and session; stale sessions without a connection do not count", () => {
    const v = parseIet(volume, session);
    expect([...v.get("iqn.2010-01.lan.someplace.iscsihost:pc1")!.luns]).toEqual([[0, "/dev/mapper/pc1"]]);
    expect(v.get("iqn.2010-01.lan.someplace.iscsihost:pc1")!.initiators).toEqual([{ iqn: "iqn.1991-05.com.microsoft:retro-01", ip: "10.0.0.41" }]);
    expect(v.get("iqn.2010-01.lan.someplace.iscsihost:pc2")!.initiators).toEqual([]);
    expect(
      ietBackend.parse(
        new Map([
          [IET_VOLUME, volume],
          [IET_SESSION, session],
        ]),
      ).size,
    ).toBe(2);
  });
  it("builds the 2010 ietadm commands", () => {
    expect(ietBackend.lunOffline(spec).map((c) => c.args.join(" "))).toEqual(["--op delete --tid 5 --lun 0"]);
    expect(ietBackend.lunOnline(spec).map((c) => c.args.join(" "))).toEqual(["--op new --tid 5 --lun 0 --params Path=/dev/mapper/retrocow5,Type=fileio"]);
    expect(ietBackend.createTarget(spec)[0]!.args).toEqual(["--op", "new", "--tid", "5", "--params", "Name=iqn.2010-01.lan.retrolan:retrocow5"]);
  });
});

describe("LIO", () => {
  it("reads configfs: target enabled, LUN 0, demo-mode sessions", () => {
    const p = lioPaths(spec);
    const files = new Map<string, string | null>([
      [p.enable, "1\n"],
      [p.lun, "default_tg_pt_gp\n"],
      [p.sessions, "iqn.1991-05.com.microsoft:retro-05\n"],
    ]);
    const v = parseLio(files, [spec, { ...spec, iqn: "iqn.2010-01.lan.retrolan:gone", tid: 6 }]);
    expect(v.get(spec.iqn)).toEqual({
      tid: 5,
      iqn: spec.iqn,
      luns: new Map([[0, spec.device]]),
      initiators: [{ iqn: "iqn.1991-05.com.microsoft:retro-05" }],
      acl: [],
    });
    expect(v.has("iqn.2010-01.lan.retrolan:gone")).toBe(false);
  });
  it("builds targetcli argv: backstore + LUN online, both removed offline", () => {
    const b = lioBackend(() => [spec]);
    expect(b.lunOnline(spec).map((c) => c.args.join(" "))).toEqual([
      "/backstores/block create name=retrocow5 dev=/dev/mapper/retrocow5",
      "/iscsi/iqn.2010-01.lan.retrolan:retrocow5/tpg1/luns create /backstores/block/retrocow5 lun=0",
    ]);
    expect(b.lunOffline(spec).map((c) => c.args.join(" "))).toEqual([
      "/iscsi/iqn.2010-01.lan.retrolan:retrocow5/tpg1/luns delete lun=0",
      "/backstores/block delete retrocow5",
    ]);
    expect(b.read.kind).toBe("files");
  });
});
