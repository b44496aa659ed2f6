/**
 * The reset as one ordered run over a set of PCs, shared by the simulator and the privileged
 * helper so both follow exactly the same steps: every PC goes through each step together (one
 * command for all of them where the host can), and a PC whose part of a step fails drops out into
 * its own recovery while the others go on.
 */
import { errorText } from "./step-error";
import type { ResetReport, StepRecord } from "./types";

/** One reset step, done for a set of PCs at once. */
export interface BatchStep {
  name: string;
  /** Runs the step for these PCs and returns the ones it failed for, with why. Throwing fails all. */
  run(ids: number[]): Promise<Map<number, unknown>>;
}

export interface ResetPlan {
  steps: BatchStep[];
  /**
   * After a PC's step failed: bring it back to a consistent, serving state, looking afresh (after a
   * failure nothing about the PC can be assumed). `done` lists the steps that had succeeded.
   */
  recover(id: number, failedStep: string, done: readonly string[]): Promise<{ records: StepRecord[]; outcome: ResetReport["outcome"] }>;
}

/** Runs fn, retrying once: recovery should survive one transient failure (a daemon restarting, EBUSY). */
export async function attempt(records: StepRecord[], step: string, fn: () => Promise<void>): Promise<boolean> {
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    try {
      await fn();
      records.push({ step, ok: true, ms: Math.round(performance.now() - t0) });
      return true;
    } catch (e) {
      records.push({ step, ok: false, ms: Math.round(performance.now() - t0), error: errorText(e) });
    }
  }
  return false;
}

export async function runReset(ids: readonly number[], plan: ResetPlan, onStep: (id: number, step: string) => void = () => undefined): Promise<ResetReport[]> {
  const steps = new Map<number, StepRecord[]>(ids.map((id) => [id, []]));
  const reports = new Map<number, Promise<ResetReport>>();
  let alive = [...ids];
  for (const step of plan.steps) {
    if (!alive.length) break;
    alive.forEach((id) => onStep(id, step.name));
    const t0 = performance.now();
    let failures: Map<number, unknown>;
    try {
      failures = await step.run(alive);
    } catch (e) {
      failures = new Map(alive.map((id) => [id, e]));
    }
    const ms = Math.round(performance.now() - t0);
    for (const id of alive) {
      const failed = failures.has(id);
      steps.get(id)!.push({ step: step.name, ok: !failed, ms, ...(failed ? { error: errorText(failures.get(id)) } : {}) });
      if (!failed) continue;
      onStep(id, "recover");
      const done = steps
        .get(id)!
        .filter((s) => s.ok)
        .map((s) => s.step);
      const error = errorText(failures.get(id));
      reports.set(
        id,
        plan.recover(id, step.name, done).then(
          ({ records, outcome }) => ({ id, ok: false, failedStep: step.name, error, steps: steps.get(id)!, recovery: records, outcome }),
          (e: unknown) => ({
            id,
            ok: false,
            failedStep: step.name,
            error,
            steps: steps.get(id)!,
            recovery: [{ step: "recover", ok: false, ms: 0, error: errorText(e) }],
            outcome: "unknown" as const,
          }),
        ),
      );
    }
    alive = alive.filter((id) => !failures.has(id));
  }
  for (const id of alive) reports.set(id, Promise.resolve({ id, ok: true, steps: steps.get(id)!, recovery: [], outcome: "fresh" as const }));
  return Promise.all(ids.map((id) => reports.get(id)!));
}
