import type { ResetSource } from "../constants";
import type { ResetOutcome } from "../host/types";
import type { PcJob } from "../jobs/job-store";

export type JobMachineState = "queued" | "running" | "done" | "refused";

/** One PC in a reset job: where it is, and once done, how it ended (the history row has the rest). */
export interface JobMachine {
  id: number;
  name: string;
  host: string;
  state: JobMachineState;
  /** The step running now (state running), e.g. "dm-load". */
  step: string | null;
  historyId: number | null;
  ok: boolean | null;
  outcome: ResetOutcome | null;
  failedStep: string | null;
  error: string | null;
  usedBefore: number | null;
  startedAt: number | null;
  endedAt: number | null;
}

/** A reset of one or more PCs, started by one request: the API answers 202 with it at once (see lib/jobs/job-store.ts). */
export interface ResetJob extends PcJob<JobMachineState> {
  kind: "reset";
  source: ResetSource;
  machines: JobMachine[];
  summary: { requested: number; ok: number; failed: number; refused: number; pending: number };
}

export function summarize(machines: JobMachine[]): ResetJob["summary"] {
  const count = (f: (m: JobMachine) => boolean) => machines.filter(f).length;
  return {
    requested: machines.length,
    ok: count((m) => m.state === "done" && m.ok === true),
    failed: count((m) => m.state === "done" && m.ok === false),
    refused: count((m) => m.state === "refused"),
    pending: count((m) => m.state === "queued" || m.state === "running"),
  };
}
