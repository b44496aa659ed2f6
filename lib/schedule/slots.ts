/** Times of day in the server's local time zone (the TZ the Cowherd process runs in). */

function at(day: Date, hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  const d = new Date(day);
  d.setHours(h, m, 0, 0);
  return d.getTime();
}

/** The newest moment at or before `now` that the clock showed `hhmm` (today's, else yesterday's). */
export function lastSlot(now: number, hhmm: string): number {
  const today = at(new Date(now), hhmm);
  if (today <= now) return today;
  const y = new Date(now);
  y.setDate(y.getDate() - 1);
  return at(y, hhmm);
}

/** The next moment after `now` that the clock shows `hhmm`. */
export function nextSlot(now: number, hhmm: string): number {
  const today = at(new Date(now), hhmm);
  if (today > now) return today;
  const t = new Date(now);
  t.setDate(t.getDate() + 1);
  return at(t, hhmm);
}
