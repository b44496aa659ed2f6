"use client";

import { useCallback, useMemo, useState } from "react";
import useSWR from "swr";
import type { MachinesView, MachineView } from "@/lib/status/machines-view";
import type { BulkItem, ResetOutcome } from "@/lib/reset/orchestrator";
import { ApiError, fetcher, postJson } from "@/lib/client/fetcher";
import { MachineCard, type CardOutcome } from "./machine-card";
import { ConfirmResetDialog } from "./confirm-reset-dialog";
import { SummaryBar } from "./summary-bar";

const POLL_MS = 1500;

function describe(r: ResetOutcome | BulkItem): CardOutcome {
  if (r.ok) return { ok: true, text: `Reset OK in ${((r as ResetOutcome).durationMs / 1000).toFixed(1)} s` };
  if ("refused" in r) return { ok: false, text: r.error };
  return { ok: false, text: `Failed at ${r.failedStep}: ${r.error}${r.outcome === "not-exported" ? " (PC NOT exported)" : ""}` };
}

export function MachineGrid({ initial, canReset }: { initial: MachinesView; canReset: boolean }) {
  const { data, error, mutate } = useSWR<MachinesView>("/api/machines", fetcher, {
    refreshInterval: POLL_MS,
    fallbackData: initial,
    keepPreviousData: true,
  });
  const view = data ?? initial;
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [pending, setPending] = useState<Set<number>>(new Set());
  const [outcomes, setOutcomes] = useState<Record<number, CardOutcome>>({});
  const [confirm, setConfirm] = useState<{ ids: number[]; bulk: boolean } | null>(null);
  const [bulkSummary, setBulkSummary] = useState<{ ok: number; failed: number; failures: string[] } | null>(null);

  const byId = useMemo(() => new Map(view.machines.map((m) => [m.id, m])), [view]);
  const targets: MachineView[] | null = confirm ? confirm.ids.map((id) => byId.get(id)).filter((m): m is MachineView => !!m) : null;

  const mark = (ids: number[], on: boolean) =>
    setPending((prev) => {
      const next = new Set(prev);
      ids.forEach((id) => (on ? next.add(id) : next.delete(id)));
      return next;
    });

  const run = useCallback(
    async (ids: number[], bulk: boolean) => {
      setConfirm(null);
      mark(ids, true);
      setOutcomes((o) => {
        const next = { ...o };
        ids.forEach((id) => delete next[id]);
        return next;
      });
      try {
        if (!bulk) {
          const { data } = await postJson<{ result: ResetOutcome }>(`/api/machines/${ids[0]}/reset`);
          setOutcomes((o) => ({ ...o, [ids[0]!]: describe(data.result) }));
        } else {
          setBulkSummary(null);
          const { data } = await postJson<{ results: BulkItem[]; summary: { ok: number; failed: number } }>("/api/resets", { machines: ids });
          setOutcomes((o) => ({ ...o, ...Object.fromEntries(data.results.map((r) => [r.machineId, describe(r)])) }));
          setBulkSummary({
            ...data.summary,
            failures: data.results.filter((r) => !r.ok).map((r) => `${r.name}: ${describe(r).text}`),
          });
          setSelected(new Set());
        }
      } catch (e) {
        const text = e instanceof ApiError ? e.message : "Cannot reach the server";
        setOutcomes((o) => ({ ...o, ...Object.fromEntries(ids.map((id) => [id, { ok: false, text }])) }));
      } finally {
        mark(ids, false);
        void mutate();
      }
    },
    [mutate],
  );

  const allSelected = view.machines.length > 0 && selected.size === view.machines.length;

  return (
    <div className="space-y-4">
      <SummaryBar view={view} stale={!!error} />
      {canReset && (
        <div className="flex flex-wrap items-center gap-3 rounded-xl bg-white px-4 py-3 shadow-sm ring-1 ring-slate-200">
          <label className="flex items-center gap-2 text-sm font-medium">
            <input
              type="checkbox"
              aria-label="Select all PCs"
              checked={allSelected}
              onChange={(e) => setSelected(e.target.checked ? new Set(view.machines.map((m) => m.id)) : new Set())}
              className="size-4 accent-sky-600"
            />
            Select all
          </label>
          <span className="text-sm text-slate-500">{selected.size} selected</span>
          <button
            type="button"
            disabled={selected.size === 0}
            onClick={() => setConfirm({ ids: [...selected].sort((a, b) => a - b), bulk: true })}
            className="ml-auto rounded-md bg-red-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-800 disabled:cursor-not-allowed disabled:opacity-40"
          >
            Reset selected ({selected.size})
          </button>
        </div>
      )}
      {bulkSummary && (
        <div
          role="status"
          className={`rounded-xl px-4 py-3 text-sm ring-1 ${bulkSummary.failed ? "bg-red-50 text-red-900 ring-red-200" : "bg-emerald-50 text-emerald-900 ring-emerald-200"}`}
        >
          <strong>
            Bulk reset: {bulkSummary.ok} of {bulkSummary.ok + bulkSummary.failed} succeeded
          </strong>
          {bulkSummary.failures.length > 0 && (
            <ul className="mt-1 list-disc pl-5">
              {bulkSummary.failures.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <section aria-label="PCs" className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
        {view.machines.map((m) => (
          <MachineCard
            key={m.id}
            m={m}
            now={view.readAt}
            warnPercent={view.warnPercent}
            dangerPercent={view.dangerPercent}
            canReset={canReset}
            selected={selected.has(m.id)}
            pending={pending.has(m.id)}
            outcome={outcomes[m.id]}
            onSelect={(checked) =>
              setSelected((prev) => {
                const next = new Set(prev);
                if (checked) next.add(m.id);
                else next.delete(m.id);
                return next;
              })
            }
            onReset={() => setConfirm({ ids: [m.id], bulk: false })}
          />
        ))}
      </section>
      <ConfirmResetDialog targets={targets} onCancel={() => setConfirm(null)} onConfirm={() => confirm && run(confirm.ids, confirm.bulk)} />
    </div>
  );
}
