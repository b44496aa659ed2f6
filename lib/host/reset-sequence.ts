/**
 * The reset sequence and its recovery, shared by the simulator and the privileged helper so both
 * follow exactly the same steps. Why not the 2010 recipe (suspend, zero, reload, resume): a reload
 * inherits the old in-memory exception table, so the PC would read zeros where it had written.
 * Removing the device, zeroing the COW header and creating it again gives a fresh exception store.
 */
import type { ResetReport, StepRecord } from "./types";

/** Primitive operations on one PC, each idempotent where the real commands allow it. */
export interface ResetOps {
  lunOffline(): Promise<void>;
  lunOnline(): Promise<void>;
  lunExported(): Promise<boolean>;
  dmRemove(): Promise<void>;
  dmCreate(): Promise<void>;
  dmExists(): Promise<boolean>;
  dmSuspended(): Promise<boolean>;
  dmResume(): Promise<void>;
  cowZero(): Promise<void>;
}

class StepFailure extends Error {
  constructor(
    readonly step: string,
    readonly cause: unknown,
  ) {
    super(errorText(cause));
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

async function timed(records: StepRecord[], step: string, fn: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  try {
    await fn();
    records.push({ step, ok: true, ms: Math.round(performance.now() - t0) });
  } catch (e) {
    records.push({ step, ok: false, ms: Math.round(performance.now() - t0), error: errorText(e) });
    throw new StepFailure(step, e);
  }
}

/** Runs fn, retrying once: recovery should survive one transient failure (tgtd restarting, EBUSY). */
async function attempt(records: StepRecord[], step: string, fn: () => Promise<void>): Promise<boolean> {
  for (let i = 0; i < 2; i++) {
    try {
      await timed(records, step, fn);
      return true;
    } catch {
      /* recorded; retry once */
    }
  }
  return false;
}

/**
 * Brings one PC to "device active and LUN exported" from whatever half-done state it is in:
 * a suspended device is resumed, a missing device re-created from its COW (header intact means the
 * old snapshot comes back), a missing LUN re-added. Used for recovery and for repair after a crash.
 */
export async function ensureExported(ops: ResetOps, records: StepRecord[] = []): Promise<{ exported: boolean; records: StepRecord[] }> {
  const safe = async <T>(fn: () => Promise<T>, fallback: T) => {
    try {
      return await fn();
    } catch {
      return fallback;
    }
  };
  let exists = await safe(() => ops.dmExists(), false);
  if (exists) {
    if (await safe(() => ops.dmSuspended(), false)) await attempt(records, "recover:dm-resume", () => ops.dmResume());
  } else {
    exists = await attempt(records, "recover:dm-create", () => ops.dmCreate());
  }
  if (!exists) return { exported: false, records };
  let exported = await safe(() => ops.lunExported(), false);
  if (!exported) exported = await attempt(records, "recover:lun-online", () => ops.lunOnline());
  return { exported: exported && !(await safe(() => ops.dmSuspended(), false)), records };
}

/**
 * `ops` may answer its checks from one read taken before the reset (cheap on a busy host);
 * `recoveryOps` must look afresh, since after a failure nothing about the PC can be assumed.
 */
export async function runReset(id: number, ops: ResetOps, onStep?: (step: string) => void, recoveryOps: ResetOps = ops): Promise<ResetReport> {
  const steps: StepRecord[] = [];
  const run = (step: string, fn: () => Promise<void>) => {
    onStep?.(step);
    return timed(steps, step, fn);
  };
  try {
    await run("lun-offline", () => ops.lunOffline());
    await run("dm-remove", () => ops.dmRemove());
    await run("cow-zero", () => ops.cowZero());
    await run("dm-create", () => ops.dmCreate());
    await run("lun-online", () => ops.lunOnline());
    return { id, ok: true, steps, recovery: [], outcome: "fresh" };
  } catch (e) {
    if (!(e instanceof StepFailure)) throw e;
    onStep?.("recover");
    const { exported, records } = await ensureExported(recoveryOps);
    const zeroed = steps.some((s) => s.step === "cow-zero" && s.ok);
    return {
      id,
      ok: false,
      failedStep: e.step,
      error: e.message,
      steps,
      recovery: records,
      outcome: exported ? (zeroed ? "fresh" : "kept-old") : "not-exported",
    };
  }
}
