import type { Command } from "../../lib/host/command";
import type { Initiator } from "../../lib/host/types";
import type { ScsiIdentity } from "./identity";

/** What one look at the target tells: per target IQN, its LUN backing paths and connected initiators. */
export interface IscsiTarget {
  tid: number;
  iqn: string;
  luns: Map<number, string>;
  initiators: Initiator[];
  /**
   * Who may log in (tgt's ACL addresses, "ALL" for anyone), where the backend shows it; absent when
   * it cannot tell (IET), and then the target counts as bound.
   */
  acl?: string[];
  /** Each LUN's unit serial, where the backend shows it (tgt's "SCSI SN:"). */
  serials?: Map<number, string>;
}

export type IscsiView = Map<string, IscsiTarget>;

export interface ExportSpec {
  tid: number;
  iqn: string;
  /** The dm name: names the backstore where the target needs one (LIO). */
  name: string;
  device: string;
  /** Initiator address allowed to log in, or "ALL". */
  allow: string;
  /** The SCSI identity the LUN shows (a PC's disk); absent: the target's own defaults. */
  identity?: ScsiIdentity;
  /**
   * The LUN number: absent, the backend's own (`lun`: the system disk, an update target's draft); a
   * PC's game disk is the next one on the same target (tgt: 2; IET, LIO: 1).
   */
  lun?: number;
}

/** The LUN a spec is exported on. */
export const lunOf = (b: Pick<IscsiBackend, "lun">, s: Pick<ExportSpec, "lun">): number => s.lun ?? b.lun;

/**
 * A target implementation: argv builders and parsers only, so every command and every parse is
 * unit-testable without the daemon. `read` says how to look at the target's state.
 */
export interface IscsiBackend {
  name: "tgt" | "lio" | "iet";
  /** The LUN number disks are exported on (tgt: 1, LUN 0 being the controller; IET/LIO: 0). */
  lun: number;
  read: { kind: "command"; cmd: Command } | { kind: "files"; paths: (specs: ExportSpec[]) => string[] };
  /**
   * Paths that exist when this target is installed and running (its admin tool; for the file-read
   * targets, their /proc or configfs directory). Missing, they make every read an error, so a
   * configured but absent target never reads as "no LUN exported".
   */
  requires: string[];
  parse(input: string | Map<string, string | null>): IscsiView;
  /** The target alone: nobody can log in to it before `bind`. */
  createTarget(s: ExportSpec): Command[];
  /** Lets spec.allow log in (tgt: the ACL; LIO: demo-mode ACLs); nothing where creating did it (IET). */
  bind(s: ExportSpec): Command[];
  deleteTarget(s: ExportSpec): Command[];
  lunOnline(s: ExportSpec): Command[];
  lunOffline(s: ExportSpec): Command[];
  /**
   * Gives the LUN spec.identity, where that is a separate command after lunOnline (tgt); nothing
   * where lunOnline sets it already (IET, LIO) or there is no identity.
   */
  lunIdentity(s: ExportSpec): Command[];
}

const allows = (t: IscsiTarget, allow: string) => !t.acl || t.acl.includes("ALL") || t.acl.includes(allow);

/** The LUN shows another serial than spec's (only where the backend shows serials). */
const wrongIdentity = (b: IscsiBackend, s: Pick<ExportSpec, "identity" | "lun">, t: IscsiTarget) => {
  const lun = lunOf(b, s);
  return !!s.identity && t.luns.has(lun) && !!t.serials?.has(lun) && t.serials.get(lun) !== s.identity.serial;
};

/**
 * An initiator from spec.allow could log in and see the disk as itself: the target there, bound,
 * its LUN present with the PC's identity (a LUN left with the target's default serial is not).
 */
export function exportedFor(b: IscsiBackend, s: Pick<ExportSpec, "allow" | "identity" | "lun">, t: IscsiTarget | undefined): boolean {
  return !!t && allows(t, s.allow) && t.luns.has(lunOf(b, s)) && !wrongIdentity(b, s, t);
}

/**
 * What an export still lacks, in order, each with its commands: making one is several commands (a
 * target, its binding, its LUN), and a process killed between them leaves a subset that this
 * finishes from wherever it stopped. A PC's second LUN (its game disk) goes on the target its
 * system disk's steps made: `t` is the target as those steps left it (see exportedTarget).
 */
export function exportSteps(b: IscsiBackend, s: ExportSpec, t: IscsiTarget | undefined): { action: string; cmds: Command[] }[] {
  const out: { action: string; cmds: Command[] }[] = [];
  if (!t) out.push({ action: "target-created", cmds: [...b.createTarget(s), ...b.bind(s)] });
  else if (!allows(t, s.allow) && b.bind(s).length) out.push({ action: "target-bound", cmds: b.bind(s) });
  const identity = b.lunIdentity(s);
  if (!t?.luns.has(lunOf(b, s))) {
    out.push({ action: "lun-online", cmds: b.lunOnline(s) });
    if (identity.length) out.push({ action: "lun-identity", cmds: identity });
  } else if (identity.length && wrongIdentity(b, s, t)) out.push({ action: "lun-identity", cmds: identity });
  return out;
}

/** The target as exportSteps(b, s, t) leave it: there, bound to s.allow, with s's LUN and identity. */
export function exportedTarget(b: IscsiBackend, s: ExportSpec, t: IscsiTarget | undefined): IscsiTarget {
  const lun = lunOf(b, s);
  const base: IscsiTarget = t ?? { tid: s.tid, iqn: s.iqn, luns: new Map(), initiators: [], acl: [] };
  const acl = base.acl && !allows(base, s.allow) ? [...base.acl, s.allow] : base.acl;
  const serials = s.identity && base.serials ? new Map(base.serials).set(lun, s.identity.serial) : base.serials;
  return { ...base, luns: new Map(base.luns).set(lun, s.device), ...(acl ? { acl } : {}), ...(serials ? { serials } : {}) };
}
