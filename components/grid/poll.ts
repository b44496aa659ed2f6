import type { MachinesView } from "@/lib/status/machines-view";

const POLL_MS = 1500;
/**
 * While a PC of the room resets: a simulated reset is over in under a second, a real one in a few,
 * and each step takes a fraction of that. Polled at POLL_MS a card showed one step long after it
 * had ended (and SWR's 2 s dedupe made that 3 s): at this pace the step shown is at most this old.
 */
const RESETTING_POLL_MS = 300;

/** How soon to ask again: quickly while a reset is queued or running, else at the room's pace. */
export const pollInterval = (v: MachinesView | undefined): number => (v?.machines.some((m) => m.reset !== null) ? RESETTING_POLL_MS : POLL_MS);

/** SWR options for /api/machines where a PC's reset line is shown. */
export const MACHINES_POLL = {
  refreshInterval: pollInterval,
  // Each poll is a new request: the default dedupes any within 2 s, which slowed every poll to 3 s.
  dedupingInterval: 0,
} as const;
