import type { Command } from "../commands/command";
import type { Initiator } from "../types";

/** What one look at the target tells: per target IQN, its LUN backing paths and connected initiators. */
export interface IscsiTarget {
  tid: number;
  iqn: string;
  luns: Map<number, string>;
  initiators: Initiator[];
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
}

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
  createTarget(s: ExportSpec): Command[];
  deleteTarget(s: ExportSpec): Command[];
  lunOnline(s: ExportSpec): Command[];
  lunOffline(s: ExportSpec): Command[];
}
