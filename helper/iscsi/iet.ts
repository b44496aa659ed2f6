import { BIN, type Command } from "../../lib/host/command";
import { TIMEOUT } from "../commands/command";
import { lunOf, type ExportSpec, type IscsiBackend, type IscsiTarget, type IscsiView } from "./backend";

const ietadm = (...args: string[]): Command => ({ file: BIN.ietadm, args, timeoutMs: TIMEOUT.quick });

export const IET_VOLUME = "/proc/net/iet/volume";
export const IET_SESSION = "/proc/net/iet/session";

/**
 * /proc/net/iet/volume:   "tid:1 name:iqn..." then "\tlun:0 state:0 iotype:fileio ... path:/dev/mapper/pc1"
 * /proc/net/iet/session:  "tid:1 name:iqn..." then "\tsid:N initiator:iqn..." then "\t\tcid:0 ip:10.0.0.41 state:active ..."
 */
export function parseIet(volume: string, session: string): IscsiView {
  const view: IscsiView = new Map();
  const targetOf = (line: string): IscsiTarget | undefined => {
    const m = /^tid:(\d+) name:(\S+)/.exec(line.trim());
    if (!m) return undefined;
    const existing = view.get(m[2]!);
    if (existing) return existing;
    const t: IscsiTarget = { tid: Number(m[1]), iqn: m[2]!, luns: new Map(), initiators: [] };
    view.set(t.iqn, t);
    return t;
  };
  let t: IscsiTarget | undefined;
  for (const line of volume.split("\n")) {
    if (/^tid:/.test(line.trim())) t = targetOf(line);
    const m = /lun:(\d+) .*path:(\S+)/.exec(line);
    if (m && t) t.luns.set(Number(m[1]), m[2]!);
  }
  t = undefined;
  let current: { iqn: string; ip?: string } | undefined;
  for (const line of session.split("\n")) {
    const trimmed = line.trim();
    if (/^tid:/.test(trimmed)) {
      t = targetOf(line);
      current = undefined;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^sid:\S+ initiator:(\S+)/.exec(trimmed)) && t) {
      current = { iqn: m[1]! };
      t.initiators.push(current);
    } else if ((m = /^cid:\S+ ip:(\S+) state:(\S+)/.exec(trimmed)) && current) {
      // Stale sessions linger in IET: only an active connection counts.
      if (m[2] === "active") current.ip ??= m[1]!;
    }
  }
  for (const target of view.values()) target.initiators = target.initiators.filter((i) => i.ip !== undefined);
  return view;
}

export const ietBackend: IscsiBackend = {
  name: "iet",
  lun: 0,
  requires: [BIN.ietadm, "/proc/net/iet"],
  read: { kind: "files", paths: () => [IET_VOLUME, IET_SESSION] },
  parse: (input) => {
    const files = typeof input === "string" ? new Map<string, string | null>() : input;
    return parseIet(files.get(IET_VOLUME) ?? "", files.get(IET_SESSION) ?? "");
  },
  createTarget: (s: ExportSpec) => [ietadm("--op", "new", "--tid", String(s.tid), "--params", `Name=${s.iqn}`)],
  // IET lets in whoever /etc/iet/initiators.allow allows: nothing per target to bind here.
  bind: () => [],
  deleteTarget: (s: ExportSpec) => [ietadm("--op", "delete", "--tid", String(s.tid))],
  // IET takes the device id and serial with the LUN (ScsiId, ScsiSN); its vendor ("IET") and product
  // ("VIRTUAL-DISK") are fixed, and its /proc files do not show the serial.
  lunOnline: (s: ExportSpec) => [
    ietadm(
      "--op",
      "new",
      "--tid",
      String(s.tid),
      "--lun",
      String(lunOf({ lun: 0 }, s)),
      "--params",
      `Path=${s.device},Type=fileio${s.identity ? `,ScsiId=${s.identity.deviceId},ScsiSN=${s.identity.serial}` : ""}`,
    ),
  ],
  lunOffline: (s: ExportSpec) => [ietadm("--op", "delete", "--tid", String(s.tid), "--lun", String(lunOf({ lun: 0 }, s)))],
  lunIdentity: () => [],
};
