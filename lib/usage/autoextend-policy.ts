/**
 * lvm2's snapshot auto-extend, as lvm.conf documents snapshot_autoextend_threshold and
 * snapshot_autoextend_percent and dmeventd's snapshot plugin applies them: once a snapshot's use
 * passes `threshold` % (100 = never; lvm2's minimum is 50), it grows by `percent` % of its current
 * size — or by as much as it takes to be back under the threshold, when that is more (lvm2's
 * _adjust_amount) — up to a maximum. Whole MiB here, since the helper grows COW files in MiB.
 */

export interface ExtendPolicy {
  threshold: number;
  percent: number;
}

export interface ExtendInput {
  usedSectors: number;
  totalSectors: number;
  maxCowSizeMiB: number;
}

export type ExtendDecision =
  | { action: "none" }
  | { action: "grow"; fromMiB: number; toMiB: number; percent: number }
  /** Past the threshold but already at its largest size: nothing left to grow into. */
  | { action: "at-max"; sizeMiB: number; percent: number };

const SECTORS_PER_MIB = 2048;

export function usagePercent(used: number, total: number): number {
  return total > 0 ? (used / total) * 100 : 0;
}

export function decideExtend(pc: ExtendInput, policy: ExtendPolicy): ExtendDecision {
  if (policy.threshold >= 100 || pc.totalSectors <= 0) return { action: "none" };
  const percent = usagePercent(pc.usedSectors, pc.totalSectors);
  if (percent < policy.threshold) return { action: "none" };
  const fromMiB = pc.totalSectors / SECTORS_PER_MIB;
  const byPercent = fromMiB * (1 + policy.percent / 100);
  // The smallest size at which the same use is under the threshold again.
  const underThreshold = (pc.usedSectors / SECTORS_PER_MIB) * (100 / policy.threshold);
  const wanted = Math.max(Math.ceil(byPercent), Math.floor(underThreshold) + 1, Math.floor(fromMiB) + 1);
  const toMiB = Math.min(wanted, pc.maxCowSizeMiB);
  if (toMiB <= fromMiB) return { action: "at-max", sizeMiB: fromMiB, percent };
  return { action: "grow", fromMiB, toMiB, percent };
}

/** The store keeps its reserve after growing by `growBytes`: the check the helper makes too, before it allocates. */
export function reserveAllows(freeBytes: number, growBytes: number, reserveBytes: number): boolean {
  return freeBytes - growBytes >= reserveBytes;
}
