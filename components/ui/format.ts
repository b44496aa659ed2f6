export function mib(sectors: number | null): string {
  return sectors === null ? "–" : (sectors / 2048).toFixed(1);
}

/** Relative to a reference time from the same payload, so server and client render the same text. */
export function ago(at: number | null, now: number): string {
  if (at === null) return "never";
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

export function dateTime(ms: number | null): string {
  if (ms === null) return "–";
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC";
}
