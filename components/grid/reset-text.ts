import type { ResetOutcome } from "@/lib/host/types";

const WHERE: Record<ResetOutcome, string> = {
  fresh: "the PC has a clean disk anyway",
  "kept-old": "the PC kept its old disk; reset again",
  down: "the PC's disk is NOT usable: reset again, or run 'cowherd-helper repair' on its storage host",
  unknown: "its state is unknown: check the storage host",
};

type Failure = { failedStep: string | null; error: string | null; outcome: ResetOutcome | string | null };

/** A failed reset in two parts: what failed (step and the tool's message), and where the PC ended and what to do. */
export function failureParts(r: Failure): { what: string; where: string } {
  return {
    what: `failed at ${r.failedStep ?? "?"}: ${r.error ?? "no message"}`,
    where: WHERE[(r.outcome ?? "unknown") as ResetOutcome] ?? WHERE.unknown,
  };
}

/** A failed reset in words: the step, the tool's message, where the PC ended and what to do. */
export function describeFailure(r: Failure): string {
  const { what, where } = failureParts(r);
  return `${what} — ${where}`;
}
