/**
 * Fill rate and time to full: the math, with no state. Used sectors only ever grow while a PC runs;
 * a drop is a reset (or a new COW), and the rate starts afresh from there.
 */

export interface UsagePointIn {
  at: number;
  used: number;
}

/** MiB per minute from sectors per millisecond. */
export const mibPerMin = (sectorsPerMs: number): number => (sectorsPerMs * 60_000) / 2048;

/**
 * The fill rate in sectors per millisecond: the least-squares slope of the points in the last
 * `windowMs` after the last drop (a reset), or null while they span less than `minSpanMs` (too
 * little to say). Never negative.
 */
export function fillRate(points: readonly UsagePointIn[], windowMs: number, minSpanMs = 30_000): number | null {
  if (points.length < 2) return null;
  const newest = points[points.length - 1]!.at;
  let start = points.length - 1;
  while (start > 0) {
    const prev = points[start - 1]!;
    if (prev.at < newest - windowMs || prev.used > points[start]!.used) break;
    start--;
  }
  const span = newest - points[start]!.at;
  if (span < minSpanMs || points.length - start < 2) return null;
  // Centred on the first point, so the sums stay small and exact enough.
  const t0 = points[start]!.at;
  const u0 = points[start]!.used;
  let n = 0;
  let st = 0;
  let su = 0;
  let stt = 0;
  let stu = 0;
  for (let i = start; i < points.length; i++) {
    const t = points[i]!.at - t0;
    const u = points[i]!.used - u0;
    n++;
    st += t;
    su += u;
    stt += t * t;
    stu += t * u;
  }
  const den = n * stt - st * st;
  if (den <= 0) return null;
  return Math.max(0, (n * stu - st * su) / den);
}

/** Milliseconds until `used` reaches `ceiling` at `rate` sectors/ms; 0 when there already, null when it never will. */
export function timeToFull(used: number, ceiling: number, rate: number | null): number | null {
  if (used >= ceiling) return 0;
  if (rate === null || rate <= 0) return null;
  return (ceiling - used) / rate;
}

/**
 * Keeps each PC's recent points (bounded by the window) and answers its rate. A point lower than the
 * previous one is a reset: the window starts again from it. A PC that is off writes nothing: its
 * rate is 0 (not filling) whatever its window held, and its next boot starts a new window (the slope
 * of its last session says nothing about the next one).
 */
export class RateWindows {
  private readonly points = new Map<number, UsagePointIn[]>();
  private readonly off = new Set<number>();

  constructor(
    private readonly windowMs: number,
    private readonly minSpanMs = 30_000,
  ) {}

  add(id: number, at: number, used: number, online = true): void {
    let list = this.points.get(id);
    if (!list) this.points.set(id, (list = []));
    const last = list[list.length - 1];
    if (last && at <= last.at) return;
    if (last && (used < last.used || (online && this.off.has(id)))) list.length = 0;
    if (online) this.off.delete(id);
    else this.off.add(id);
    list.push({ at, used });
    let drop = 0;
    while (drop < list.length - 1 && list[drop]!.at < at - this.windowMs) drop++;
    if (drop) list.splice(0, drop);
  }

  /** Forgets a PC's points (no numbers from it: a dead snapshot, a missing device). */
  forget(id: number): void {
    this.points.delete(id);
    this.off.delete(id);
  }

  /** The fill rate; `minSpanMs` lower than the window's own for a rough figure sooner. 0 while the PC is off. */
  rate(id: number, minSpanMs = this.minSpanMs): number | null {
    if (this.off.has(id)) return 0;
    return fillRate(this.points.get(id) ?? [], this.windowMs, minSpanMs);
  }

  size(): number {
    let n = 0;
    for (const l of this.points.values()) n += l.length;
    return n;
  }
}
