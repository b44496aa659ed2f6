import { BIN, type Command } from "../../lib/host/command";
import { TIMEOUT } from "../commands/command";
import type { Initiator } from "../../lib/host/types";
import { lunOf, type ExportSpec, type IscsiBackend, type IscsiTarget, type IscsiView } from "./backend";

const tgtadm = (...args: string[]): Command => ({ file: BIN.tgtadm, args: ["--lld", "iscsi", ...args], timeoutMs: TIMEOUT.quick });

/**
 * Parses `tgtadm --lld iscsi --op show --mode target`:
 *   Target 1: iqn...:retrocow1
 *       I_T nexus information:
 *           I_T nexus: 3
 *               Initiator: iqn.2008-11.org.linux-kvm alias: none
 *               Connection: 0
 *                   IP Address: 127.0.0.1
 *       LUN information:
 *           LUN: 1
 *               Backing store path: /dev/mapper/retrocow1
 */
export function parseTgtShow(output: string): IscsiView {
  const view: IscsiView = new Map();
  let target: IscsiTarget | undefined;
  let lun: number | undefined;
  let initiator: Initiator | undefined;
  let nexus: string | undefined;
  let inAcl = false;
  for (const raw of output.split("\n")) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^Target (\d+): (\S+)$/.exec(line))) {
      target = { tid: Number(m[1]), iqn: m[2]!, luns: new Map(), initiators: [], acl: [] };
      view.set(target.iqn, target);
      inAcl = false;
      lun = undefined;
      initiator = undefined;
      nexus = undefined;
    } else if (!target) {
    } else if (/^ACL information:$/.test(line)) {
      inAcl = true;
    } else if (inAcl) {
      // The ACL block is the target's last: one address (or ALL) per line until the next target.
      if (line) target.acl!.push(line);
    } else if ((m = /^I_T nexus: (\d+)$/.exec(line))) {
      nexus = m[1];
    } else if ((m = /^Initiator: (\S+)/.exec(line))) {
      initiator = { iqn: m[1]!, ...(nexus ? { session: nexus } : {}) };
      target.initiators.push(initiator);
    } else if ((m = /^IP Address: (\S+)$/.exec(line)) && initiator) {
      initiator.ip ??= m[1]!;
    } else if ((m = /^LUN: (\d+)$/.exec(line))) {
      lun = Number(m[1]);
    } else if ((m = /^SCSI SN: (.*)$/.exec(line)) && lun !== undefined) {
      (target.serials ??= new Map()).set(lun, m[1]!.trim());
    } else if ((m = /^Backing store path: (.+)$/.exec(line)) && lun !== undefined) {
      if (m[1] !== "None") target.luns.set(lun, m[1]!);
    }
  }
  return view;
}

/** LUN 0 is the target's controller: disks from 1 (the system disk), the game disk on 2. */
const lun = (s: ExportSpec) => String(lunOf({ lun: 1 }, s));

export const tgtBackend: IscsiBackend = {
  name: "tgt",
  lun: 1,
  requires: [BIN.tgtadm],
  read: { kind: "command", cmd: tgtadm("--op", "show", "--mode", "target") },
  parse: (input) => parseTgtShow(typeof input === "string" ? input : ""),
  createTarget: (s: ExportSpec) => [tgtadm("--op", "new", "--mode", "target", "--tid", String(s.tid), "-T", s.iqn)],
  bind: (s: ExportSpec) => [tgtadm("--op", "bind", "--mode", "target", "--tid", String(s.tid), "-I", s.allow)],
  deleteTarget: (s: ExportSpec) => [tgtadm("--op", "delete", "--force", "--mode", "target", "--tid", String(s.tid))],
  // Direct I/O on the backing store: a dead snapshot fails reads at once instead of at writeback.
  lunOnline: (s: ExportSpec) => [
    tgtadm("--op", "new", "--mode", "logicalunit", "--tid", String(s.tid), "--lun", lun(s), "-b", s.device, "--bsoflags", "direct"),
  ],
  lunOffline: (s: ExportSpec) => [tgtadm("--op", "delete", "--mode", "logicalunit", "--tid", String(s.tid), "--lun", lun(s))],
  // tgtd takes these on an update of the LUN (usr/spc.c lu_config); its --params list is split at
  // ',' and each value cut to vendor 8, product 16, scsi_id and scsi_sn 36 characters.
  lunIdentity: (s: ExportSpec) =>
    s.identity
      ? [
          tgtadm(
            "--op",
            "update",
            "--mode",
            "logicalunit",
            "--tid",
            String(s.tid),
            "--lun",
            lun(s),
            "--params",
            `vendor_id=${s.identity.vendor},product_id=${s.identity.product},scsi_id=${s.identity.deviceId},scsi_sn=${s.identity.serial}`,
          ),
        ]
      : [],
};
