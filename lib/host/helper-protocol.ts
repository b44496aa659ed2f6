/**
 * What cowherd-helper prints: one JSON document on stdout, progress events as JSON lines on stderr.
 * Shared by the helper and the web app so both sides agree on one shape.
 */
import type { MachineHostStatus, ResetReport } from "./types";

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

export type HelperOutput =
  | { ok: true; verb: "status"; machines: MachineHostStatus[] }
  | { ok: boolean; verb: "reset"; reports: ResetReport[] }
  | { ok: boolean; verb: "up" | "down" | "repair"; machines: { id: number; ok: boolean; actions: string[]; error?: string; step?: string }[] }
  | { ok: boolean; verb: "grow"; id: number; totalSectors?: number; error?: string; step?: string }
  | { ok: true; verb: "version"; version: string }
  | { ok: false; error: HelperError };

export interface HelperEvent {
  event: "step";
  id: number;
  step: string;
}
