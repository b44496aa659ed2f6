import type { SnapshotState } from "./dm-status";

/** Kernel states plus "missing": no dm device set up for the PC. */
export type MachineState = SnapshotState | "missing";

export interface Initiator {
  iqn: string;
  ip?: string;
}

export interface MachineHostStatus {
  id: number;
  state: MachineState;
  usedSectors?: number;
  totalSectors?: number;
  metadataSectors?: number;
  /** The target has at least one connected initiator. */
  online: boolean;
  initiators: Initiator[];
  /** The LUN is exported on the iSCSI target. */
  exported: boolean;
  /** The dm device is suspended (a reset was interrupted): I/O hangs until resumed. */
  suspended: boolean;
}

export interface HostStatus {
  readAt: number;
  machines: MachineHostStatus[];
}

export const RESET_STEPS = ["lun-offline", "dm-remove", "cow-zero", "dm-create", "lun-online"] as const;
export type ResetStep = (typeof RESET_STEPS)[number];

export interface StepRecord {
  step: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/** What one PC's reset did. A step failure is a report, not an exception: recovery has already run. */
export interface ResetReport {
  id: number;
  ok: boolean;
  failedStep?: string;
  error?: string;
  steps: StepRecord[];
  /** Recovery actions taken after a failure, in order. */
  recovery: StepRecord[];
  /** Where the PC ended: a fresh snapshot, the old one kept, or not exported at all. */
  outcome: "fresh" | "kept-old" | "not-exported";
}

export interface Host {
  readonly kind: "sim" | "real";
  /** Every PC in one pass (one dmsetup status, one session listing). */
  status(): Promise<HostStatus>;
  reset(id: number, onStep?: (step: string) => void): Promise<ResetReport>;
  /** Several PCs in one go, where the host can do that more cheaply than one by one. */
  resetMany?(ids: number[], onStep?: (id: number, step: string) => void): Promise<ResetReport[]>;
}

/** The host itself could not be asked (helper missing, sudo refused, timeout): not a step failure. */
export class HostError extends Error {
  override name = "HostError";
  constructor(
    message: string,
    readonly step?: string,
  ) {
    super(message);
  }
}
