/**
 * What cowherd-helper says: one JSON document on stdout when run once from the shell, or line-
 * delimited JSON on stdin/stdout as the long-lived agent (`cowherd-helper serve`, started by the web
 * app through `sudo -n` or `ssh -T`). Shared by the helper and the web app so both agree on one shape.
 */
import type { HostImages } from "./images";
import type { MachineHostStatus, ResetReport, StoreSpace } from "./types";

/** The web app refuses an agent of any other version: both sides must come from the same build. */
export const HELPER_VERSION = "2.5.0";
export const AGENT_PROTOCOL = 1;
/** Longest request line the agent reads; anything longer is refused without being buffered. */
export const AGENT_MAX_LINE = 64 * 1024;

export const HELPER_EXIT = {
  ok: 0,
  /** A reset/up/down/grow ran and at least one PC failed: the report says which step. */
  failed: 1,
  /** Bad verb or machine id: nothing was run. */
  usage: 2,
  /** The helper's own config is unreadable or invalid. */
  config: 3,
  /** A host command needed for the verb failed (dmsetup status, tgtadm show). */
  host: 4,
} as const;

export interface HelperError {
  code: "usage" | "config" | "host" | "internal";
  message: string;
  step?: string;
}

export interface PcResult {
  /** The PC; 0 in `repair`'s answer: the image versions (a dead copy's draft deleted, a publish finished). */
  id: number;
  ok: boolean;
  actions: string[];
  error?: string;
  step?: string;
}

export type HelperOutput =
  | { ok: true; verb: "status"; machines: MachineHostStatus[]; stores?: StoreSpace[]; images?: HostImages; groups?: HostImages[] }
  | { ok: boolean; verb: ImageVerb; images?: HostImages; error?: string; step?: string }
  | { ok: boolean; verb: "reset"; reports: ResetReport[] }
  | { ok: boolean; verb: "up" | "down" | "repair"; machines: PcResult[] }
  | { ok: boolean; verb: "grow"; id: number; totalSectors?: number; error?: string; step?: string }
  | { ok: true; verb: "version"; version: string }
  | { ok: false; error: HelperError };

/**
 * A reset refused because the PC's iSCSI session is open (the helper's rule, kept by the simulator
 * too): nothing was touched, and the report says so and how to go ahead.
 */
export function onlineRefusal(id: number, name: string, from: readonly string[]): ResetReport {
  const error = `${name} has an open iSCSI session (from ${[...new Set(from)].join(", ")}): resetting it now would pull the disk from under a running PC, so it was not touched; reset it once it is off, or force the reset (reset --force) if nobody is using it`;
  return { id, ok: false, failedStep: "online", error, steps: [], recovery: [], outcome: "kept-old" };
}

export const IMAGE_VERBS = ["images", "image-update", "image-publish", "image-discard", "image-current", "image-delete"] as const;
export type ImageVerb = (typeof IMAGE_VERBS)[number];

/** Progress of one PC through a reset: on stderr (one-shot) or as an agent line naming its request. */
export interface StepEvent {
  event: "step";
  request?: number;
  machine: number;
  step: string;
}

/** The agent's first line. */
export interface AgentHello {
  hello: {
    agent: "cowherd-helper";
    version: string;
    protocol: number;
    /** The machine ids in the agent's own config (/etc/cowherd/config.json on its host). */
    machines: number[];
    /** What the start-up repair did (PCs a dead process left half reset). */
    repaired: PcResult[];
  };
}

/** A request carries the same argv as a one-shot call and is checked by the same rules. */
export interface AgentRequest {
  id: number;
  args: string[];
}

export interface AgentResponse {
  id: number;
  /** The exit code the one-shot helper would have returned. */
  code: number;
  output: HelperOutput;
}
