export function mib(sectors: number | null): string {
  return sectors === null ? "–" : (sectors / 2048).toFixed(1);
}

/**
 * Relative to a reference time from the same payload (the view's readAt, the page's render time),
 * never the browser's clock: server and client render the same text, and a skewed clock cannot
 * make it wrong. Carries no time zone.
 */
export function ago(at: number | null, now: number): string {
  if (at === null) return "never";
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** "2026-11-25 14:03:12" in the browser's time zone: only ever rendered on the client, after hydration. */
export function localDateTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The local time with its zone spelled out, for a tooltip: "2026-11-25 14:03:12 (Europe/Berlin, GMT+1)". */
export function localDateTimeLong(ms: number): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offset = new Intl.DateTimeFormat("en", { timeZoneName: "shortOffset" }).formatToParts(new Date(ms)).find((p) => p.type === "timeZoneName")?.value;
  return `${localDateTime(ms)} (${zone}${offset ? `, ${offset}` : ""})`;
}
