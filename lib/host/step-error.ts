/** A failure of one named step of a host operation (a reset step, `up`'s cow-loop, a lock). */
export class StepError extends Error {
  override name = "StepError";
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The step an error names, or the given fallback for errors that name none. */
export function stepOf(e: unknown, fallback: string): string {
  return e instanceof StepError ? e.step : fallback;
}
