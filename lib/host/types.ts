import { StepError } from "./step-error";
import type { SnapshotState } from "./dm-status";
import type { HostImages, ImageOp } from "./images";
import type { DiskKind } from "../config/schema";

/** Kernel states plus "missing": no dm device set up for the PC. */
export type MachineState = SnapshotState | "missing";

export interface Initiator {
  iqn: string;
  ip?: string;
  /** The target's id for this session (tgt's I_T nexus), to tell a new login from a stale one. */
  session?: string;
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
  /**
   * What is wrong with the PC's storage beyond its snapshot's own state: its COW file or the master
   * deleted or replaced under a running device, a half-done reset (error table, no table, a table
   * never resumed). A reset refuses such a PC, or repairs the half states first.
   */
  problem?: string;
  /** The master image version its COW sits on (it moves to the current one at its next reset). */
  version?: number;
  /** Its game disk (its group has one): the same reads for the second snapshot and its LUN. */
  game?: DiskHostStatus;
}

/** One more disk of a PC (the game disk): its snapshot, its LUN and the version it sits on, as for the system disk above. */
export interface DiskHostStatus {
  state: MachineState;
  usedSectors?: number;
  totalSectors?: number;
  metadataSectors?: number;
  exported: boolean;
  suspended: boolean;
  problem?: string;
  version?: number;
}

/** Space on a filesystem holding COW files, as root sees it (statfs), and the reserve no COW may grow into. */
export interface StoreSpace {
  /** The directory (a COW file's folder). */
  dir: string;
  freeBytes: number;
  sizeBytes: number;
  reserveBytes: number;
}

export interface HostStatus {
  readAt: number;
  machines: MachineHostStatus[];
  /** Free space of each COW store on the host (absent from hosts that do not say). */
  stores?: StoreSpace[];
  /** The host's image versions, current one and update draft (absent from hosts that predate them): the first group's. */
  images?: HostImages;
  /** Every group's (absent from hosts that predate groups); a group whose state cannot be read is left out. */
  groups?: HostImages[];
}

/**
 * A reset, in place: the dm device and its LUN stay; the snapshot is swapped out for an error
 * table (releasing the COW), the COW header zeroed, and the snapshot table loaded and resumed again.
 */
export const RESET_STEPS = ["check", "dm-error", "cow-zero", "dm-load", "dm-resume"] as const;

export interface StepRecord {
  step: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/**
 * Where a PC ended after a reset: a fresh snapshot, its old one kept (the reset stopped before the
 * header was zeroed), down (its device serves no snapshot: I/O fails until repaired), or unknown
 * (the host could not say).
 */
export type ResetOutcome = "fresh" | "kept-old" | "down" | "unknown";

/** What one PC's reset did. A step failure is a report, not an exception: recovery has already run. */
export interface ResetReport {
  id: number;
  ok: boolean;
  failedStep?: string;
  error?: string;
  steps: StepRecord[];
  /** Recovery actions taken after a failure, in order. */
  recovery: StepRecord[];
  outcome: ResetOutcome;
}

/** Whether a storage host can be asked right now (an agent process that is up, or the simulator). */
export interface HostHealth {
  state: "up" | "connecting" | "down";
  /** When the host entered this state. */
  since: number;
  /** Why it is down (or why the last connection attempt failed). */
  error?: string;
}

/**
 * The host refuses (failedStep "online", nothing touched) a reset of a PC whose iSCSI session is
 * open, unless `force`: the admin forced it, or the PC's own boot script asked (iPXE leaves a stale
 * session behind that the target has not dropped yet).
 */
export interface ResetOptions {
  force?: boolean;
  /**
   * Which of a PC's disks: absent, every disk it has (system and game); "system" or "game" that one
   * only. Steps on the game disk are reported with a "game:" prefix (game:dm-error, game:cow-zero…).
   */
  disk?: DiskKind;
}

/** One storage host: the PCs whose COWs and LUNs live on it. */
export interface Host {
  readonly name: string;
  readonly kind: "sim" | "agent";
  /** Every PC of this host in one pass. Never changes anything. */
  status(): Promise<HostStatus>;
  /**
   * Resets a set of PCs in one ordered run (all PCs through each step; a PC whose step fails drops
   * into its own recovery). A step failure is a report, not an exception; an exception means the
   * host could not be asked at all.
   */
  reset(ids: number[], onStep?: (id: number, step: string) => void, opts?: ResetOptions): Promise<ResetReport[]>;
  /**
   * Grows a PC's COW to `mib` online (file grown, loop capacity raised: the kernel's total rises at
   * once). Refused (StepError "space") when the store would go below its reserve; with
   * `expectSectors` (the size the caller saw), refused (StepError "changed") when the COW is no
   * longer that size (a reset cut it meanwhile). `disk` "game": the PC's game disk's COW.
   */
  grow(id: number, mib: number, expectSectors?: number, disk?: DiskKind): Promise<{ totalSectors: number }>;
  /**
   * An image version operation (update mode on a PC, publish, discard, make current, delete): the
   * host's versions afterwards. A refusal is a StepError with step "refused" and why in words;
   * `onStep` hears an update's progress ("image-copy 42%").
   */
  image(op: ImageOp, onStep?: (step: string) => void): Promise<HostImages>;
  health(): HostHealth;
  close(): void;
}

/** The host itself could not be asked (agent down, sudo refused, timeout): no PC's step ran. */
export class HostError extends StepError {
  override name = "HostError";
  constructor(message: string, step = "host") {
    super(step, message);
  }
}
