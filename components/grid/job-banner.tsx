"use client";

import { useEffect } from "react";
import useSWR from "swr";
import type { ResetJob } from "@/lib/reset/jobs";
import { fetcher } from "@/lib/client/fetcher";
import { cn } from "@/components/ui/cn";
import { describeFailure } from "./reset-text";

/**
 * The bulk reset line of the selection bar. Its place is always there (an idle hint when there is
 * no job), and a new bulk replaces the last one in place, so the grid never moves when one starts:
 * `starting` while the request is on its way, then the job followed until done, then how it went
 * and which PCs failed why.
 */
export function JobBanner({
  job,
  starting,
  deferred,
  onDone,
  onDismiss,
}: {
  job: ResetJob | null;
  starting: number;
  /** PCs the request marked for their next boot, or left alone because they are up or kept. */
  deferred: { nextBoot: string[]; online: string[]; kept: string[] } | null;
  onDone(): void;
  onDismiss(): void;
}) {
  return (
    <div role="status" aria-live="polite" data-testid="job-line" className="min-h-5 min-w-0">
      {starting > 0 ? (
        <Line tone="running">Bulk reset: sending {starting} PCs…</Line>
      ) : job ? (
        <FollowedJob key={job.id} initial={job} onDone={onDone} onDismiss={onDismiss} />
      ) : deferred ? null : (
        <p className="truncate text-sm text-slate-500">Select PCs to reset several at once.</p>
      )}
      {starting === 0 && deferred && (
        <p className="mt-0.5 text-sm text-violet-900" data-testid="deferred">
          {deferred.nextBoot.length > 0 && <span className="block">At their next boot: {deferred.nextBoot.join(", ")}</span>}
          {deferred.online.length > 0 && <span className="block">Left alone (up right now): {deferred.online.join(", ")}</span>}
          {deferred.kept.length > 0 && (
            <span className="block" data-testid="kept-skipped-line">
              Left alone (kept, its changes are kept): {deferred.kept.join(", ")}
            </span>
          )}
        </p>
      )}
    </div>
  );
}

function FollowedJob({ initial, onDone, onDismiss }: { initial: ResetJob; onDone(): void; onDismiss(): void }) {
  const { data } = useSWR<{ job: ResetJob }>(`/api/jobs/${initial.id}`, fetcher, {
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
  const running = job.machines.filter((m) => m.state === "running").length;
  const queued = job.machines.filter((m) => m.state === "queued").length;
  const total = s.requested - s.refused;
  return (
    <>
      <Line tone={!finished ? "running" : problems.length ? "failed" : "ok"}>
        {finished
          ? `Bulk reset: ${s.ok} of ${s.requested} succeeded${s.failed ? `, ${s.failed} failed` : ""}${s.refused ? `, ${s.refused} already resetting` : ""}`
          : `Bulk reset running: ${s.ok + s.failed} of ${total} done${total > 1 ? ` · ${running} resetting, ${queued} queued` : ""}${s.failed ? ` · ${s.failed} failed` : ""}`}
        {finished && (
          <button
            type="button"
            onClick={onDismiss}
            className="ml-2 rounded px-1.5 py-0.5 text-xs font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50"
          >
            Dismiss
          </button>
        )}
      </Line>
      {!finished && total > 1 && (
        <div className="mt-1 h-1.5 overflow-hidden rounded-full bg-slate-200" aria-hidden>
          <div className="h-full bg-sky-600 transition-[width] duration-500" style={{ width: `${((s.ok + s.failed) / total) * 100}%` }} />
        </div>
      )}
      {problems.length > 0 && (
        <ul className="mt-1 max-h-24 list-disc overflow-y-auto pl-5 text-sm text-red-900">
          {problems.map((m) => (
            <li key={m.id}>
              {m.name}: {m.state === "refused" ? m.error : describeFailure(m)}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

const TONE = {
  running: { text: "text-sky-800", dot: "bg-sky-500 animate-pulse" },
  ok: { text: "text-emerald-800", dot: "bg-emerald-500" },
  failed: { text: "text-red-800", dot: "bg-red-600" },
};

function Line({ tone, children }: { tone: keyof typeof TONE; children: React.ReactNode }) {
  return (
    <p className={cn("flex min-w-0 items-center text-sm font-semibold", TONE[tone].text)}>
      <span aria-hidden className={cn("mr-2 inline-block size-2 shrink-0 rounded-full", TONE[tone].dot)} />
      <span className="min-w-0">{children}</span>
    </p>
  );
}
