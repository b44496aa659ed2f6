"use client";

import { useSyncExternalStore } from "react";
import { cn } from "./cn";
import { untilText } from "@/lib/client/units";
import { ago, localDateTime, localDateTimeLong } from "./format";

const never = () => () => undefined;

/** False on the server and during hydration, true after: for what only the browser knows (its time zone). */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    never,
    () => true,
    () => false,
  );
}

/**
 * A point in time as people read it: local date and time in the browser's zone, and "12 min ago"
 * relative to `now` (the page's or the payload's own time). The server and the first client render
 * show the relative text and keep the absolute time's place (invisible, same width) so hydration
 * matches and nothing moves when the local time fills in. `relative` shows only the relative text,
 * with the local time as a tooltip. `future`: a time still to come ("in 3 h").
 */
export function LocalTime({
  at,
  now,
  relative = false,
  future = false,
  className,
}: {
  at: number | null;
  now: number;
  relative?: boolean;
  future?: boolean;
  className?: string;
}) {
  const hydrated = useHydrated();
  if (at === null) return <span className={className}>{relative ? "never" : "–"}</span>;
  const rel = future ? untilText(at, now) : ago(at, now);
  const iso = new Date(at).toISOString();
  const title = hydrated ? localDateTimeLong(at) : undefined;
  if (relative)
    return (
      <time dateTime={iso} title={title} className={className}>
        {rel}
      </time>
    );
  return (
    <time dateTime={iso} title={title} className={cn("inline-flex flex-wrap gap-x-1.5", className)}>
      <span className={cn("tabular-nums", !hydrated && "invisible")} aria-hidden={!hydrated}>
        {hydrated ? localDateTime(at) : "0000-00-00 00:00:00"}
      </span>
      <span className="text-slate-500">{rel}</span>
    </time>
  );
}
