import type { Answer } from "./loop";

export interface Session {
  iqn: string;
  ip: string;
}

/** What `--op update --mode logicalunit --params` sets of a LUN's SCSI identity (tgt's usr/spc.c lu_config). */
export interface LunIdentity {
  vendor_id?: string;
  product_id?: string;
  scsi_id?: string;
  scsi_sn?: string;
}

/** tgt's field sizes (usr/tgtd.h): a longer value is cut to these. */
const IDENTITY_LEN: Record<keyof LunIdentity, number> = { vendor_id: 8, product_id: 16, scsi_id: 36, scsi_sn: 36 };
/** The rest of what lu_config takes: accepted, not modelled. */
const OTHER_PARAMS = new Set([
  "product_rev",
  "sense_format",
  "lbppbe",
  "la_lba",
  "optimal_xfer_gran",
  "optimal_xfer_len",
  "path",
  "bsopts",
  "bsoflags",
  "removable",
  "readonly",
  "online",
  "mode_page",
  "thin_provisioning",
  "rotation_rate",
]);

/** A tgt target: its IQN, LUN 1's (and 2's) backing path, its ACL (addresses, or ALL) and the initiators logged in. */
export interface Target {
  iqn: string;
  lun1?: string;
  /** LUN 1's identity as updated; unset fields are tgtd's defaults (see SimTgt.identity). */
  lun1Identity?: LunIdentity;
  /** LUN 2 (a PC's game disk) and its identity, as LUN 1's. */
  lun2?: string;
  lun2Identity?: LunIdentity;
  initiators?: Session[];
  /** Absent: anyone (ALL); a target made by tgtadm starts empty until bound. */
  acl?: string[];
}

/** The disk LUNs modelled: 1 and 2 (LUN 0 is the controller). */
type DiskLun = 1 | 2;
const pathKey = (lun: DiskLun) => (lun === 1 ? "lun1" : "lun2");
const identityKey = (lun: DiskLun) => (lun === 1 ? "lun1Identity" : "lun2Identity");

/** Every backing path a target's LUNs hold open. */
export const lunPathsOf = (t: Target): string[] => [t.lun1, t.lun2].filter((p): p is string => !!p);

const ok = (stdout = ""): Answer => ({ code: 0, stdout, stderr: "" });
const err = (stderr: string, code = 22): Answer => ({ code, stdout: "", stderr });

/** The iSCSI target daemon (tgtd) as tgtadm reaches it. */
export class SimTgt {
  targets = new Map<number, Target>();
  /** tgtd is not running: every tgtadm fails to reach it. */
  down = false;

  constructor(private readonly exists: (path: string) => boolean) {}

  /**
   * LUN 1's identity as an initiator's INQUIRY sees it: tgtd's defaults (usr/spc.c: vendor "IET",
   * product "VIRTUAL-DISK", scsi_id "IET     <tid><lun>" in hex, scsi_sn "beaf<tid><lun>") unless updated.
   */
  identity(tid: number, lun: DiskLun = 1): Required<LunIdentity> | undefined {
    const t = this.targets.get(tid);
    if (!t?.[pathKey(lun)]) return undefined;
    const hex = (n: number) => n.toString(16).padStart(4, "0");
    return {
      vendor_id: "IET",
      product_id: "VIRTUAL-DISK",
      scsi_id: `IET     ${hex(tid)}${hex(lun)}`,
      scsi_sn: `beaf${tid}${lun}`,
      ...t[identityKey(lun)],
    };
  }

  /** `tgtadm --op show --mode target`, in tgtd's own layout (what helper/iscsi/tgt.ts parses). */
  show(): string {
    return [...this.targets]
      .map(([tid, t]) => {
        const nexus = (t.initiators ?? [])
          .map(
            (i, n) =>
              `        I_T nexus: ${n + 1}\n            Initiator: ${i.iqn} alias: none\n            Connection: 0\n                IP Address: ${i.ip}\n`,
          )
          .join("");
        const lun1 = ([1, 2] as const)
          .map((n) => {
            const id = this.identity(tid, n);
            const path = t[pathKey(n)];
            return path && id
              ? `        LUN: ${n}\n            Type: disk\n            SCSI ID: ${id.scsi_id}\n            SCSI SN: ${id.scsi_sn}\n            Backing store path: ${path}\n`
              : "";
          })
          .join("");
        const acl = (t.acl ?? ["ALL"]).map((a) => `        ${a}\n`).join("");
        return `Target ${tid}: ${t.iqn}\n    System information:\n        Driver: iscsi\n        State: ready\n    I_T nexus information:\n${nexus}    LUN information:\n        LUN: 0\n            Type: controller\n            Backing store path: None\n${lun1}    Account information:\n    ACL information:\n${acl}`;
      })
      .join("");
  }

  command(args: string[]): Answer {
    if (this.down) return err("tgtadm: failed to send request hdr to tgt daemon, Transport endpoint is not connected", 107);
    const opt = (k: string) => {
      const i = args.indexOf(k);
      return i >= 0 ? args[i + 1] : undefined;
    };
    const op = opt("--op");
    const mode = opt("--mode");
    if (op === "show") return ok(this.show());
    const tid = Number(opt("--tid"));
    if (!Number.isSafeInteger(tid) || tid <= 0) return err("tgtadm: invalid request");
    const t = this.targets.get(tid);
    if (mode === "target") {
      if (op === "new") {
        const iqn = opt("-T");
        if (!iqn) return err("tgtadm: invalid request");
        if (t || [...this.targets.values()].some((x) => x.iqn === iqn)) return err("tgtadm: this target already exists");
        this.targets.set(tid, { iqn, acl: [] });
        return ok();
      }
      if (!t) return err("tgtadm: can't find the target");
      const addr = opt("-I");
      if (op === "bind" && addr) {
        t.acl ??= [];
        if (t.acl.includes(addr)) return err("tgtadm: this access control rule already exists");
        t.acl.push(addr);
        return ok();
      }
      if (op === "unbind" && addr) {
        if (!(t.acl ?? ["ALL"]).includes(addr)) return err("tgtadm: can't find the access control rule");
        t.acl = (t.acl ?? ["ALL"]).filter((a) => a !== addr);
        return ok();
      }
      if (op === "delete") {
        if (!args.includes("--force") && (t.initiators?.length ?? 0) > 0) return err("tgtadm: this target is still active");
        this.targets.delete(tid);
        return ok();
      }
      return err("tgtadm: invalid request");
    }
    if (mode === "logicalunit") {
      if (!t) return err("tgtadm: can't find the target");
      const lunArg = opt("--lun");
      if (lunArg !== "1" && lunArg !== "2") return err("tgtadm: invalid request");
      const lun: DiskLun = lunArg === "1" ? 1 : 2;
      const key = pathKey(lun);
      if (op === "new") {
        const dev = opt("-b");
        if (t[key]) return err("tgtadm: this logical unit number already exists");
        // tgtd opens the backing path: a missing one is its "invalid request".
        if (!dev || !this.exists(dev)) return err("tgtadm: invalid request");
        t[key] = dev;
        // A new LUN starts with tgtd's defaults, whatever an earlier one at this number had.
        delete t[identityKey(lun)];
        return ok();
      }
      if (op === "update") {
        if (!t[key]) return err("tgtadm: can't find the logical unit");
        const params = opt("--params");
        if (!params) return err("tgtadm: invalid request");
        const set: LunIdentity = {};
        // tgtd splits the list at ',' and matches each "key=value" (usr/spc.c lu_config).
        for (const p of params.split(",").filter(Boolean)) {
          const eq = p.indexOf("=");
          const key = eq > 0 ? p.slice(0, eq) : "";
          if (key in IDENTITY_LEN) set[key as keyof LunIdentity] = p.slice(eq + 1).slice(0, IDENTITY_LEN[key as keyof LunIdentity]);
          else if (!OTHER_PARAMS.has(key)) return err("tgtadm: unknown parameter");
        }
        t[identityKey(lun)] = { ...t[identityKey(lun)], ...set };
        return ok();
      }
      if (op === "delete") {
        if (!t[key]) return err("tgtadm: can't find the logical unit");
        delete t[key];
        return ok();
      }
    }
    return err("tgtadm: invalid request");
  }

  /** An initiator logs in to the target with this IQN: allowed by its ACL, a session appears. */
  login(targetIqn: string, s: Session): boolean {
    const t = [...this.targets.values()].find((x) => x.iqn === targetIqn);
    if (!t || !(t.acl ?? ["ALL"]).some((a) => a === "ALL" || a === s.ip)) return false;
    if (!t.initiators?.some((i) => i.iqn === s.iqn)) (t.initiators ??= []).push(s);
    return true;
  }

  logout(targetIqn: string): void {
    const t = [...this.targets.values()].find((x) => x.iqn === targetIqn);
    if (t) delete t.initiators;
  }

  sessionOpen(targetIqn: string): boolean {
    return !![...this.targets.values()].find((x) => x.iqn === targetIqn)?.initiators?.length;
  }
}
