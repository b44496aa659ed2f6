import { untilText } from "../client/units";
import type { ScheduleRuleView } from "../schedule/view";

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/**
 * `schedule`: each rule, on or off, what it does (the daily time in the server's own zone, as
 * configured), when it runs or looks next and what its last run did. Times printed are UTC like
 * `history`'s; the rule's own words keep the server's time zone.
 */
export function scheduleLines(rules: ScheduleRuleView[], now: number): string[] {
  return rules.flatMap((r) => [
    `${r.rule.padEnd(13)} ${r.configured ? "on " : "off"}  ${r.what}`,
    ...(r.nextRun !== null ? [`${"".padEnd(19)}next ${r.rule === "daily-reset" ? "run" : "look"}: ${utc(r.nextRun)} (${untilText(r.nextRun, now)})`] : []),
    `${"".padEnd(19)}last run: ${r.last ? `${utc(r.last.ranAt)} — ${r.last.summary}` : "never"}`,
  ]);
}
