"use client";

import { useEffect } from "react";
import useSWR from "swr";
import type { Job } from "@/lib/reset/jobs";
import { fetcher } from "@/lib/client/fetcher";
import { describeFailure } from "./reset-text";

/** Follows a bulk reset job until it is done, then says how it went and which PCs failed why. */
export function JobBanner({ job: initial, onDone, onDismiss }: { job: Job; onDone(): void; onDismiss(): void }) {
  const { data } = useSWR<{ job: Job }>(`/api/jobs/${initial.id}`, fetcher, {
    refreshInterval: (d) => (d?.job.finishedAt ? 0 : 700),
    fallbackData: { job: initial },
  });
  const job = data?.job ?? initial;
  const finished = job.finishedAt !== null;
  useEffect(() => {
    if (finished) onDone();
  }, [finished, onDone]);
  const s = job.summary;
  const problems = job.machines.filter((m) => m.state === "refused" || (m.state === "done" && !m.ok));
  const tone = !finished ? "bg-sky-50 text-sky-900 ring-sky-200" : problems.length ? "bg-red-50 text-red-900 ring-red-200" : "bg-emerald-50 text-emerald-900 ring-emerald-200";
  return (
    <div role="status" aria-live="polite" className={`flex items-start gap-3 rounded-xl px-4 py-3 text-sm ring-1 ${tone}`}>
      <div className="min-w-0 flex-1">
        <strong>
          {finished
            ? `Bulk reset: ${s.ok} of ${s.requested} succeeded${s.failed ? `, ${s.failed} failed` : ""}${s.refused ? `, ${s.refused} already resetting` : ""}`
            : `Bulk reset running: ${s.ok + s.failed} of ${s.requested - s.refused} done`}
        </strong>
        {problems.length > 0 && (
          <ul className="mt-1 list-disc pl-5">
            {problems.map((m) => (
              <li key={m.id}>
                {m.name}: {m.state === "refused" ? m.error : describeFailure(m)}
              </li>
            ))}
          </ul>
        )}
      </div>
      {finished && (
        <button type="button" onClick={onDismiss} className="rounded px-2 py-0.5 text-xs font-medium ring-1 ring-current/30 hover:bg-white/60">
          Dismiss
        </button>
      )}
    </div>
  );
}
