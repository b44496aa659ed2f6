import type { ScheduleConfig } from "../config/schedule-schema";
import type { ScheduleRun } from "../db/schedule-runs";
import type { RuleName } from "./runner";
import { TICK_MS } from "./runner";
import { nextSlot } from "./slots";

/** One rule as the Settings page shows it. */
export interface ScheduleRuleView {
  rule: RuleName;
  title: string;
  /** What it does, in words, with its configured value. */
  what: string;
  configured: boolean;
  /** The daily rule: its next slot; the others look every TICK_MS (null: not configured). */
  nextRun: number | null;
  last: ScheduleRun | null;
}

/** The server's time zone, named on the page: the daily time is the server's clock, not the browser's. */
export const serverTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** `nextLook`: when the runner looks next (its last look + TICK_MS); unknown before its first, then within TICK_MS. */
export function scheduleView(
  s: ScheduleConfig,
  last: (rule: RuleName) => ScheduleRun | undefined,
  now: number,
  nextLook: number | null = null,
): ScheduleRuleView[] {
  const tz = serverTimeZone();
  const look = nextLook !== null && nextLook >= now ? nextLook : now + TICK_MS;
  return [
    {
      rule: "daily-reset",
      title: "Daily reset",
      what: s.dailyReset
        ? `Every day at ${s.dailyReset.at} (server time, ${tz}): reset every PC that is off.`
        : 'Off. Set schedule.dailyReset.at ("HH:MM") to reset every PC that is off once a day.',
      configured: !!s.dailyReset,
      nextRun: s.dailyReset ? nextSlot(now, s.dailyReset.at) : null,
      last: last("daily-reset") ?? null,
    },
    {
      rule: "after-off",
      title: "Reset after off",
      what: s.afterOff
        ? `Reset a PC used since its last reset once it has been off ${s.afterOff.minutes} min.`
        : "Off. Set schedule.afterOff.minutes to reset a PC that long after it goes off.",
      configured: !!s.afterOff,
      nextRun: s.afterOff ? look : null,
      last: last("after-off") ?? null,
    },
    {
      rule: "draft-cleanup",
      title: "Draft clean-up",
      what: s.draftCleanup
        ? `Discard an update draft untouched (no start, no boot of its update PC) for ${s.draftCleanup.days} day(s).`
        : "Off. Set schedule.draftCleanup.days to discard update drafts left untouched that long.",
      configured: !!s.draftCleanup,
      nextRun: s.draftCleanup ? look : null,
      last: last("draft-cleanup") ?? null,
    },
  ];
}

/** The rules in a few words, for the server.start audit row (a config change takes effect at a start). */
export function scheduleWords(s: ScheduleConfig): string {
  const on = [
    s.dailyReset && `daily reset ${s.dailyReset.at} (${serverTimeZone()})`,
    s.afterOff && `reset ${s.afterOff.minutes} min after off`,
    s.draftCleanup && `drafts discarded after ${s.draftCleanup.days} day(s) untouched`,
  ].filter(Boolean);
  return on.length ? `schedule: ${on.join(", ")}` : "schedule off";
}
