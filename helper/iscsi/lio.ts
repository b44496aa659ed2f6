import { BIN, type Command } from "../../lib/host/command";
import { TIMEOUT } from "../commands/command";
import { lunOf, type ExportSpec, type IscsiBackend, type IscsiView } from "./backend";

// targetcli joins its argv with spaces and re-parses them: only validated names may reach it.
const targetcli = (...args: string[]): Command => ({ file: BIN.targetcli, args, timeoutMs: TIMEOUT.io });

const CONFIGFS = "/sys/kernel/config/target/iscsi";

/** The spec's LUN: 0 (the system disk, a draft), 1 (a PC's game disk). */
const lun = (s: Pick<ExportSpec, "lun">) => lunOf({ lun: 0 }, s);

/** configfs files that tell, per target: enabled, the spec's LUN present, and demo-mode sessions. */
export function lioPaths(s: Pick<ExportSpec, "iqn" | "lun">) {
  const tpg = `${CONFIGFS}/${s.iqn}/tpgt_1`;
  return {
    enable: `${tpg}/enable`,
    lun: `${tpg}/lun/lun_${lun(s)}/alua_tg_pt_gp`,
    sessions: `${tpg}/dynamic_sessions`,
    acls: `${tpg}/attrib/generate_node_acls`,
  };
}

/** Builds the view from configfs file contents (null = file absent), keyed by path. */
export function parseLio(files: Map<string, string | null>, specs: ExportSpec[]): IscsiView {
  const view: IscsiView = new Map();
  for (const s of specs) {
    const p = lioPaths(s);
    if (files.get(p.enable) == null) continue;
    // A PC's second LUN (its game disk) is a second spec of the same target.
    const seen = view.get(s.iqn);
    if (seen) {
      if (files.get(p.lun) != null) seen.luns.set(lun(s), s.device);
      continue;
    }
    const luns = new Map<number, string>();
    if (files.get(p.lun) != null) luns.set(lun(s), s.device);
    const initiators = (files.get(p.sessions) ?? "")
      .split(/\s+/)
      .filter((n) => n.startsWith("iqn.") || n.startsWith("eui."))
      .map((iqn) => ({ iqn }));
    // Demo-mode ACLs (generate_node_acls=1) let anyone in; without them nobody is.
    view.set(s.iqn, { tid: s.tid, iqn: s.iqn, luns, initiators, acl: files.get(p.acls)?.trim() === "1" ? ["ALL"] : [] });
  }
  return view;
}

export function lioBackend(specs: () => ExportSpec[]): IscsiBackend {
  return {
    name: "lio",
    lun: 0,
    requires: [BIN.targetcli, CONFIGFS],
    read: { kind: "files", paths: (list) => list.flatMap((s) => Object.values(lioPaths(s))) },
    parse: (input) => parseLio(typeof input === "string" ? new Map() : input, specs()),
    createTarget: (s) => [targetcli("/iscsi", "create", s.iqn)],
    bind: (s) => [
      targetcli(`/iscsi/${s.iqn}/tpg1`, "set", "attribute", "generate_node_acls=1", "cache_dynamic_acls=1", "demo_mode_write_protect=0", "authentication=0"),
    ],
    deleteTarget: (s) => [targetcli("/iscsi", "delete", s.iqn)],
    // The backstore holds the dm device open, so offline removes both and online adds both. Its
    // unit serial (wwn, written to wwn/vpd_unit_serial) can only be set before a LUN exports it.
    lunOnline: (s) => [
      targetcli("/backstores/block", "create", `name=${s.name}`, `dev=${s.device}`, ...(s.identity ? [`wwn=${s.identity.serial}`] : [])),
      targetcli(`/iscsi/${s.iqn}/tpg1/luns`, "create", `/backstores/block/${s.name}`, `lun=${lun(s)}`),
    ],
    lunOffline: (s) => [targetcli(`/iscsi/${s.iqn}/tpg1/luns`, "delete", `lun=${lun(s)}`), targetcli("/backstores/block", "delete", s.name)],
    lunIdentity: () => [],
  };
}
