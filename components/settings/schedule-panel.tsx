import Link from "next/link";
import { LocalTime } from "@/components/ui/local-time";
import type { ScheduleRuleView } from "@/lib/schedule/view";
import { Panel } from "./panel";

/**
 * The schedule rules as configured, when each looks next and what its last run did. Read-only: the
 * rules live in the config file (schedule), like every other setting that changes what Cowherd does
 * on its own; a change takes effect at the next start and is recorded in the audit log's server.start.
 */
export function SchedulePanel({ rules, now }: { rules: ScheduleRuleView[]; now: number }) {
  return (
    <Panel
      title="Scheduled resets and clean-up"
      description="Set in the config file (schedule); changes take effect at the next start. Kept PCs, PCs that are up and PCs on a storage host that does not answer are never reset by a schedule: each run says which it skipped."
    >
      <ul className="divide-y divide-slate-100 text-sm">
        {rules.map((r) => (
          <li key={r.rule} data-testid={`schedule-${r.rule}`} className="py-2">
            <p className="font-medium">
              {r.title} <span className={r.configured ? "text-emerald-700" : "text-slate-400"}>{r.configured ? "on" : "off"}</span>
            </p>
            <p className="text-slate-600">{r.what}</p>
            {r.nextRun !== null && (
              <p className="text-slate-500">
                Next {r.rule === "daily-reset" ? "run" : "look"}: <LocalTime at={r.nextRun} now={now} future />
              </p>
            )}
            <p className="text-slate-500">
              Last run:{" "}
              {r.last ? (
                <>
                  <LocalTime at={r.last.ranAt} now={now} /> — {r.last.summary}
                  {r.last.batchId && (
                    <>
                      {" "}
                      <Link className="underline" href="/history?source=schedule">
                        history
                      </Link>
                    </>
                  )}
                </>
              ) : (
                "never"
              )}
            </p>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
