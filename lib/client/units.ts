/** Units as people read them, the same on the server (event messages) and in the browser. Stateless. */

export const mibText = (sectors: number) => `${Math.round(sectors / 2048)} MiB`;

export const rateText = (r: number | null) => (r === null ? "unknown" : `${r < 10 ? r.toFixed(1) : Math.round(r)} MiB/min`);

/** "35 min", "2 h 05 min", "3 d 4 h". */
export function duration(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  if (min < 48 * 60) return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, "0")} min`;
  return `${Math.floor(min / 1440)} d ${Math.floor((min % 1440) / 60)} h`;
}

/** A time still to come (a schedule's next run): "in 30 s", "in 23 h 59 min"; "due" once it is past. */
export function untilText(at: number, now: number): string {
  const ms = at - now;
  if (ms < 500) return "due";
  return ms < 60_000 ? `in ${Math.round(ms / 1000)} s` : `in ${duration(ms)}`;
}

/** How long until a PC is full: "full now", "in 35 min", "not filling", or "—" while there is too little to say. */
export function fullInText(fullInMs: number | null, mibPerMin: number | null): string {
  if (fullInMs === 0) return "full now";
  if (fullInMs !== null) return fullInMs < 60_000 ? "in < 1 min" : `in ${duration(fullInMs)}`;
  if (mibPerMin === 0) return "not filling";
  return "—";
}
