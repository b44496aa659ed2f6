"use client";

import { useEffect, useMemo, useState } from "react";
import useSWR from "swr";
import type { MachinesView, MachineView } from "@/lib/status/machines-view";
import type { ResetJob } from "@/lib/reset/jobs";
import type { ResetAnswer } from "@/lib/reset/requests";
import type { WakeJob } from "@/lib/wol/wake";
import { ApiError, fetcher, postJson } from "@/lib/client/fetcher";
import { cn } from "@/components/ui/cn";
import { isUp } from "@/components/grid/confirm-reset-dialog";
import { OnlinePill } from "@/components/grid/machine-parts";
import { describeFailure } from "@/components/grid/reset-text";
import { button, input, subtle } from "@/components/settings/panel";
import { isDead, isReady, notReadyReason, type WakeSeen } from "./readiness";

type Step = "choose" | "reset" | "wake" | "watch";
const STEPS: { id: Step; title: string }[] = [
  { id: "choose", title: "Choose the PCs" },
  { id: "reset", title: "Reset them" },
  { id: "wake", title: "Wake them (Wake-on-LAN)" },
  { id: "watch", title: "Watch them come online" },
];

export interface WolSettings {
  broadcast: string;
  port: number;
  batchSize: number;
  intervalSeconds: number;
  /** How long after its packet a PC that shows no sign is still only "waiting" (wol.bootWaitSeconds). */
  bootWaitSeconds: number;
}

/** Several reset jobs (the lost disks forced, the rest as usual) read as one. */
function together(jobs: ResetJob[]) {
  const sum = (k: keyof ResetJob["summary"]) => jobs.reduce((n, j) => n + j.summary[k], 0);
  return {
    finished: jobs.every((j) => j.finishedAt !== null),
    summary: { requested: sum("requested"), ok: sum("ok"), failed: sum("failed"), refused: sum("refused"), pending: sum("pending") },
    machines: jobs.flatMap((j) => j.machines),
  };
}

const fetchJobs = ([, ...ids]: string[]) => Promise.all(ids.map((id) => fetcher<{ job: ResetJob }>(`/api/jobs/${id}`).then((r) => r.job)));

/**
 * Before the doors open: choose PCs → reset the ones that are off now, and those whose disk is
 * already lost (Invalid, Overflow) now even while they run, and mark the other running ones for
 * their next boot → wake them with Wake-on-LAN, a few at a time → watch them become ready (online,
 * healthy, no reset waiting) → who is not, why, and what to do. Each step can be skipped; the room
 * keeps polling throughout.
 */
export function PrepareFlow({ initial, wol }: { initial: MachinesView; wol: WolSettings }) {
  const { data, error } = useSWR<MachinesView>("/api/machines", fetcher, { refreshInterval: 1500, fallbackData: initial, keepPreviousData: true });
  const view = data ?? initial;
  const byId = useMemo(() => new Map(view.machines.map((m) => [m.id, m])), [view]);
  const [step, setStep] = useState<Step>("choose");
  const [chosen, setChosen] = useState<Set<number>>(() => new Set(initial.machines.map((m) => m.id)));
  const [query, setQuery] = useState("");
  const [resetJobs, setResetJobs] = useState<ResetJob[]>([]);
  const [nextBoot, setNextBoot] = useState<number[] | null>(null);
  /** Chosen PCs the server left alone because they are kept (its answer's `kept`). */
  const [keptSkipped, setKeptSkipped] = useState<number[]>([]);
  const [wakeJob, setWakeJob] = useState<WakeSeen | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [batchSize, setBatchSize] = useState(wol.batchSize);
  const [interval, setIntervalSeconds] = useState(wol.intervalSeconds);

  const list = [...chosen].map((id) => byId.get(id)).filter((m): m is MachineView => !!m);
  // Several PC groups: one group's PCs can be chosen at once, and the steps name the group then.
  const groups = view.groups.length > 1 ? view.groups.map((g) => ({ ...g, ids: view.machines.filter((m) => m.group === g.name).map((m) => m.id) })) : [];
  const chosenGroup = groups.find((g) => g.ids.length > 0 && g.ids.length === chosen.size && g.ids.every((id) => chosen.has(id)));
  const chosenWords = chosenGroup ? `${chosen.size} PCs (${chosenGroup.label})` : `${chosen.size} PCs`;
  // Kept PCs are left alone by this reset (the server skips them too): counted apart.
  const kept = list.filter((m) => m.kept);
  const dead = list.filter((m) => isDead(m) && !m.kept);
  const up = list.filter((m) => isUp(m) && !isDead(m) && !m.kept);
  const off = list.filter((m) => !isUp(m) && !isDead(m) && !m.kept);
  const ready = list.filter(isReady);
  const notReady = list.filter((m) => !isReady(m));

  const { data: jobsData } = useSWR<ResetJob[]>(resetJobs.length ? ["prepare-jobs", ...resetJobs.map((j) => j.id)] : null, fetchJobs, {
    refreshInterval: (d) => (d?.every((j) => j.finishedAt) ? 0 : 700),
  });
  const { data: wakeData } = useSWR<{ job: WakeJob }>(wakeJob ? `/api/wake/${wakeJob.job.id}` : null, fetcher, {
    refreshInterval: (d) => (d?.job.finishedAt ? 0 : 500),
  });
  const job = resetJobs.length ? together(jobsData?.length === resetJobs.length ? jobsData : resetJobs) : null;
  const wakeSeen = wakeJob && { job: wakeData?.job.id === wakeJob.job.id ? wakeData.job : wakeJob.job, seenAt: wakeJob.seenAt };
  const wake = wakeSeen?.job ?? null;

  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (step !== "watch") return;
    const t = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [step]);
  void tick;
  const why = (m: MachineView) => notReadyReason(m, wakeSeen, wol.bootWaitSeconds, Date.now());

  /**
   * Lost disks are forced (nothing on them to keep); the others are reset now when off, at their
   * next boot when up. Kept PCs are sent too: the server leaves them alone and says which.
   */
  const reset = async (ms: MachineView[]) => {
    const skipped = (a: ResetAnswer) => setKeptSkipped((p) => [...new Set([...p, ...(a.kept ?? [])])]);
    const forced = ms.filter(isDead).map((m) => m.id);
    const rest = ms.filter((m) => !isDead(m)).map((m) => m.id);
    if (forced.length) {
      const a = await postJson<ResetAnswer>("/api/resets", { machines: forced, whenOnline: "force" });
      if (a.job) setResetJobs((p) => [...p, a.job!]);
      skipped(a);
    }
    if (rest.length) {
      const a = await postJson<ResetAnswer>("/api/resets", { machines: rest, whenOnline: "next-boot" });
      if (a.job) setResetJobs((p) => [...p, a.job!]);
      skipped(a);
      setNextBoot((p) => [...(p ?? []), ...a.nextBoot]);
    } else setNextBoot((p) => p ?? []);
  };
  const startWake = async (ids: number[]) => {
    const r = await postJson<{ job: WakeJob }>("/api/wake", { machines: ids, batchSize, intervalSeconds: interval });
    setWakeJob({ job: r.job, seenAt: Date.now() });
  };

  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await fn();
    } catch (e) {
      setProblem(e instanceof ApiError ? e.message : "Cannot reach the server");
    } finally {
      setBusy(false);
    }
  };
  const shown = view.machines.filter((m) => !query || m.name.toLowerCase().includes(query.toLowerCase()) || m.ip.includes(query));
  const toWake = list.filter((m) => m.boot.state === "off" || m.condition === "unreachable");
  const resetAsked = nextBoot !== null;
  const offNow = notReady.filter((m) => m.boot.state === "off" && m.condition !== "unreachable");

  return (
    <div className="space-y-4">
      <ol className="flex flex-wrap gap-2 text-sm" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s.id}>
            <button
              type="button"
              onClick={() => setStep(s.id)}
              aria-current={step === s.id ? "step" : undefined}
              className={cn(
                "rounded-full px-3 py-1 font-medium ring-1",
                step === s.id ? "bg-slate-900 text-white ring-slate-900" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50",
              )}
            >
              {i + 1}. {s.title}
            </button>
          </li>
        ))}
      </ol>
      {error && (
        <p role="alert" className="rounded bg-amber-100 px-3 py-2 text-sm text-amber-900">
          Cannot reach the server: showing the last known state.
        </p>
      )}
      {problem && (
        <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
          {problem}
        </p>
      )}

      {step === "choose" && (
        <section aria-label="Choose the PCs" className="space-y-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
          <p className="text-sm text-slate-600">
            <strong data-testid="chosen-count">{chosen.size}</strong> of {view.machines.length} PCs chosen: {list.filter((m) => !isUp(m)).length} off,{" "}
            {list.filter(isUp).length} up
            {dead.length > 0 && `, ${dead.length} with a lost disk (Invalid/Overflow)`}
            {kept.length > 0 && `, ${kept.length} kept (left alone by the reset)`}.
          </p>
          <div className="flex flex-wrap items-center gap-2">
            <button type="button" className={subtle} onClick={() => setChosen(new Set(view.machines.map((m) => m.id)))}>
              All
            </button>
            <button type="button" className={subtle} onClick={() => setChosen(new Set())}>
              None
            </button>
            <button type="button" className={subtle} onClick={() => setChosen(new Set(view.machines.filter((m) => !isUp(m)).map((m) => m.id)))}>
              Only those off
            </button>
            {groups
              .filter((g) => g.ids.length > 0)
              .map((g) => (
                <button
                  key={g.name}
                  type="button"
                  className={cn(subtle, chosenGroup?.name === g.name && "bg-sky-50 font-semibold text-sky-900")}
                  aria-pressed={chosenGroup?.name === g.name}
                  onClick={() => setChosen(new Set(g.ids))}
                >
                  {g.label} ({g.ids.length})
                </button>
              ))}
            <input
              type="search"
              aria-label="Find a PC"
              placeholder="Find PC…"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              className="rounded-md border border-slate-300 px-2 py-1 text-sm"
            />
          </div>
          <ul className="grid max-h-80 grid-cols-2 gap-1 overflow-y-auto sm:grid-cols-4 lg:grid-cols-6" aria-label="PCs">
            {shown.map((m) => (
              <li key={m.id}>
                <label
                  className={cn("flex items-center gap-2 rounded-md px-2 py-1 text-sm ring-1", chosen.has(m.id) ? "bg-sky-50 ring-sky-300" : "ring-slate-200")}
                >
                  <input
                    type="checkbox"
                    className="size-4 accent-sky-600"
                    checked={chosen.has(m.id)}
                    onChange={(e) =>
                      setChosen((p) => {
                        const n = new Set(p);
                        if (e.target.checked) n.add(m.id);
                        else n.delete(m.id);
                        return n;
                      })
                    }
                  />
                  <span className="font-mono">{m.name}</span>
                  <span aria-hidden className={cn("ml-auto size-2 rounded-full", isUp(m) ? "bg-sky-500" : "bg-slate-300")} />
                </label>
              </li>
            ))}
          </ul>
          <button type="button" className={button} disabled={chosen.size === 0} onClick={() => setStep("reset")}>
            Next: reset {chosenWords}
          </button>
        </section>
      )}

      {step === "reset" && (
        <section aria-label="Reset them" className="space-y-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
          {chosenGroup && (
            <p className="text-sm font-semibold" data-testid="prepare-group">
              {chosenGroup.label}: the group&rsquo;s {chosen.size} PCs
            </p>
          )}
          <p className="text-sm text-slate-700">
            <strong>{off.length}</strong> off: reset now. <strong>{up.length}</strong> up right now: each resets at its next boot (its boot script does it
            before it starts), so nobody's running game is pulled from under them.
            {dead.length > 0 && (
              <>
                {" "}
                <strong>{dead.length}</strong> with a lost disk ({dead.map((m) => m.name).join(", ")}): reset now, even if running; there is nothing left on
                them to protect.
              </>
            )}
            {kept.length > 0 && (
              <>
                {" "}
                <strong>{kept.length}</strong> kept ({kept.map((m) => m.name).join(", ")}): left as they are, their changes kept.
              </>
            )}
          </p>
          {!resetAsked ? (
            <div className="flex flex-wrap gap-2">
              <button type="button" className={button} disabled={busy || list.length === 0} onClick={() => act(() => reset(list))}>
                Reset {off.length + dead.length} now, {up.length} at next boot
              </button>
              <button type="button" className={subtle} onClick={() => setStep("wake")}>
                Skip
              </button>
            </div>
          ) : (
            <div className="space-y-2 text-sm" role="status" data-testid="prepare-reset">
              {job ? (
                <p className="font-semibold">
                  {job.finished ? "Reset done" : "Resetting"}: {job.summary.ok} of {job.summary.requested} fresh
                  {job.summary.failed > 0 && <span className="text-red-700">, {job.summary.failed} failed</span>}
                  {job.summary.refused > 0 && `, ${job.summary.refused} already resetting`}
                  {!job.finished && `, ${job.summary.pending} to go`}
                </p>
              ) : (
                <p className="font-semibold">Nothing to reset now.</p>
              )}
              {nextBoot.length > 0 && <p className="text-violet-900">At their next boot: {nextBoot.map((id) => byId.get(id)?.name).join(", ")}</p>}
              {keptSkipped.length > 0 && (
                <p className="text-teal-900" data-testid="prepare-kept">
                  Left alone (kept): {keptSkipped.map((id) => byId.get(id)?.name).join(", ")}
                </p>
              )}
              {job?.machines
                .filter((m) => m.state === "done" && !m.ok)
                .map((m) => (
                  <p key={m.id} className="text-red-800">
                    {m.name}: {describeFailure(m)}
                  </p>
                ))}
              <button type="button" className={button} disabled={!!job && !job.finished} onClick={() => setStep("wake")}>
                Next: wake them
              </button>
            </div>
          )}
        </section>
      )}

      {step === "wake" && (
        <section aria-label="Wake them" className="space-y-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
          <p className="text-sm text-slate-700">
            Magic packets to{" "}
            <span className="font-mono">
              {wol.broadcast}:{wol.port}
            </span>{" "}
            for the <strong>{toWake.length}</strong> chosen PCs that are off, a few at a time so the fuses and the storage host are not hit by all of them at
            once.
          </p>
          <div className="flex flex-wrap items-end gap-3">
            <label className="text-sm font-medium">
              PCs at a time
              <input
                type="number"
                min={1}
                max={250}
                value={batchSize}
                onChange={(e) => setBatchSize(Math.max(1, Number(e.target.value) || 1))}
                className={cn(input, "w-24")}
              />
            </label>
            <label className="text-sm font-medium">
              Every (seconds)
              <input
                type="number"
                min={0}
                max={120}
                step={0.5}
                value={interval}
                onChange={(e) => setIntervalSeconds(Math.max(0, Number(e.target.value) || 0))}
                className={cn(input, "w-24")}
              />
            </label>
            <span className="pb-2 text-sm text-slate-500">about {Math.max(0, Math.ceil(toWake.length / batchSize) - 1) * interval} s for all of them</span>
          </div>
          <div className="flex flex-wrap gap-2">
            <button
              type="button"
              className={button}
              disabled={busy || toWake.length === 0 || (!!wake && !wake.finishedAt)}
              onClick={() =>
                act(async () => {
                  await startWake(toWake.map((m) => m.id));
                  setStep("watch");
                })
              }
            >
              Wake {toWake.length} PCs
            </button>
            <button type="button" className={subtle} onClick={() => setStep("watch")}>
              Skip
            </button>
          </div>
        </section>
      )}

      {step === "watch" && (
        <section aria-label="Watch them come online" className="space-y-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
          <div role="status" aria-live="polite" className="space-y-1">
            <p className="text-lg font-semibold" data-testid="online-count">
              {ready.length} of {list.length} ready
            </p>
            <p className="text-sm text-slate-600">Ready: online, its disk healthy, no reset running or waiting.</p>
            {resetAsked && (
              <p className="text-sm text-slate-600" data-testid="reset-summary">
                Disks:{" "}
                {job
                  ? `${job.summary.ok} reset now${job.summary.failed ? `, ${job.summary.failed} failed` : ""}${job.finished ? "" : `, ${job.summary.pending} resetting`}`
                  : "none reset now"}
                {nextBoot.length > 0 && `, ${nextBoot.length} at their next boot (${nextBoot.filter((id) => byId.get(id)?.pendingReset).length} still waiting)`}
              </p>
            )}
            {wake && wakeSeen && (
              <p className="text-sm text-slate-600" data-testid="wake-progress">
                Wake-on-LAN: {wake.machines.filter((m) => m.state === "sent").length} of {wake.machines.length} packets sent
                {wake.finishedAt ? "" : ` (${wake.batchSize} every ${wake.intervalMs / 1000} s)…`}
                {wake.finishedAt && ` · ${Math.round((Date.now() - wakeSeen.seenAt) / 1000)} s since the first`}
              </p>
            )}
          </div>
          <div className="h-2 overflow-hidden rounded-full bg-slate-200" aria-hidden>
            <div className="h-full bg-sky-600 transition-[width] duration-700" style={{ width: `${list.length ? (ready.length / list.length) * 100 : 0}%` }} />
          </div>
          {list.length > 0 && notReady.length === 0 ? (
            <p className="font-semibold text-emerald-700" data-testid="all-up">
              Every chosen PC is online and healthy, with no reset waiting. Have a good event!
            </p>
          ) : (
            <div className="space-y-2">
              <h3 className="text-sm font-semibold">Not ready ({notReady.length})</h3>
              <ul className="divide-y divide-slate-100 rounded-lg ring-1 ring-slate-200" data-testid="not-up">
                {notReady.map((m) => (
                  <li key={m.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-sm" aria-label={m.name}>
                    <span className="font-mono font-semibold">{m.name}</span>
                    <OnlinePill m={m} />
                    <span className={cn("min-w-0 flex-1 basis-60", isDead(m) ? "font-medium text-red-800" : "text-slate-600")}>{why(m)}</span>
                  </li>
                ))}
              </ul>
              <div className="flex flex-wrap gap-2">
                {dead.length > 0 && (
                  <button type="button" className={button} disabled={busy || dead.some((m) => m.reset)} onClick={() => act(() => reset(dead))}>
                    Reset the {dead.length} lost {dead.length === 1 ? "disk" : "disks"} now
                  </button>
                )}
                {offNow.length > 0 && (
                  <button
                    type="button"
                    className={subtle}
                    disabled={busy || (!!wake && !wake.finishedAt)}
                    onClick={() => act(() => startWake(offNow.map((m) => m.id)))}
                  >
                    Wake the {offNow.length} off again
                  </button>
                )}
                <button
                  type="button"
                  className={subtle}
                  onClick={() => void navigator.clipboard?.writeText(notReady.map((m) => `${m.name}\t${m.ip}\t${why(m)}`).join("\n"))}
                >
                  Copy the list
                </button>
              </div>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
