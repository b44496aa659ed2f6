import { HostError } from "./types";

/**
 * A request the host did not answer in time, whose answer may still come: the agent goes on with a
 * reset past the app's timeout, and what it did must not be lost (a history row left "unknown").
 * `late` resolves with the answer if it comes, and rejects when it cannot any more (the agent died,
 * or too long has passed).
 */
export class LateAnswerError<T> extends HostError {
  override name = "LateAnswerError";
  constructor(
    message: string,
    step: string,
    readonly late: Promise<T>,
  ) {
    super(message, step);
    late.catch(() => undefined); // nobody may be listening: never an unhandled rejection
  }
}

/** The late answer an error carries, if any. */
export function lateAnswer<T>(e: unknown): Promise<T> | undefined {
  return e instanceof LateAnswerError ? (e.late as Promise<T>) : undefined;
}

/** The same error with its late answer turned into what the caller returns (checked as an answer in time is). */
export function mapLate<T, U>(e: unknown, f: (answer: T) => U): unknown {
  return e instanceof LateAnswerError ? new LateAnswerError<U>(e.message, e.step, (e.late as Promise<T>).then(f)) : e;
}
