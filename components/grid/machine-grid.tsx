"use client";

import { useCallback, useMemo, useState } from "react";
import useSWR from "swr";
import type { DiskKind } from "@/lib/config/schema";
import type { MachinesView, MachineView } from "@/lib/status/machines-view";
import type { ResetJob } from "@/lib/reset/jobs";
import type { ResetAnswer, WhenOnline } from "@/lib/reset/requests";
import { ApiError, fetcher, postJson, requestJson } from "@/lib/client/fetcher";
import { MachineCard } from "./machine-card";
import { MachineList } from "./machine-list";
import type { MachineItemProps } from "./machine-parts";
import { ConfirmResetDialog, type EventChoice } from "./confirm-reset-dialog";
import { SummaryBar } from "./summary-bar";
import { HostBanner } from "./host-banner";
import { JobBanner } from "./job-banner";
import { SelectionBar } from "./selection-bar";
import { useGridView, ViewToggle } from "./view-toggle";
import { GridControls } from "./grid-controls";
import { arrange, type Arrangement } from "./arrange";
import { GrowDialog } from "./grow-dialog";
import { MACHINES_POLL } from "./poll";

export function MachineGrid({ initial, canReset }: { initial: MachinesView; canReset: boolean }) {
  const { data, error, mutate } = useSWR<MachinesView>("/api/machines", fetcher, {
    ...MACHINES_POLL,
    fallbackData: initial,
    keepPreviousData: true,
    // A big room's first paint holds its first PCs only: the rest come with this first fetch.
    revalidateOnMount: true,
  });
  const view = data ?? initial;
  const [layout, setLayout] = useGridView();
  const [selected, setSelected] = useState<Set<number>>(new Set());
  /** PCs whose request is on its way: shown as queued until the grid's poll shows their job. */
  const [sending, setSending] = useState<Set<number>>(new Set());
  const [requestErrors, setRequestErrors] = useState<Record<number, string>>({});
  /** `group`: before the event, one PC group's PCs ("" or absent: every PC). */
  const [confirm, setConfirm] = useState<{ ids: number[]; bulk: boolean; event?: boolean; group?: string } | null>(null);
  const [bulkJob, setBulkJob] = useState<ResetJob | null>(null);
  /** What the last request left for later or alone: marked for the next boot, or up and skipped. */
  const [deferred, setDeferred] = useState<{ nextBoot: string[]; online: string[]; kept: string[] } | null>(null);
  /** PCs of a bulk request on its way (the job line says so in place of the previous job). */
  const [bulkStarting, setBulkStarting] = useState(0);
  const [arrangement, setArrangement] = useState<Arrangement>({ filter: "all", sort: "name", query: "" });
  const [growing, setGrowing] = useState<number | null>(null);

  const byId = useMemo(() => new Map(view.machines.map((m) => [m.id, m])), [view]);
  const targets: MachineView[] | null = confirm ? confirm.ids.map((id) => byId.get(id)).filter((m): m is MachineView => !!m) : null;
  const reachable = !error;
  /** PCs of the room not in this (first-paint) view yet. */
  const pending = view.partial ? view.partial.counts.pcs - view.machines.length : 0;

  const run = useCallback(
    async (ids: number[], bulk: boolean, whenOnline: WhenOnline, event = false, group = "", disk?: DiskKind) => {
      setConfirm(null);
      setSending((prev) => new Set([...prev, ...ids]));
      setRequestErrors((prev) => Object.fromEntries(Object.entries(prev).filter(([id]) => !ids.includes(Number(id)))));
      if (bulk) setBulkStarting(ids.length);
      try {
        const r = bulk
          ? await postJson<ResetAnswer>(
              "/api/resets",
              event ? (group ? { group, whenOnline } : { machines: "all", whenOnline }) : { machines: ids, whenOnline },
            )
          : // The confirm dialog said this PC is kept and its changes go: that is the confirmation.
            await postJson<ResetAnswer>(`/api/machines/${ids[0]}/reset`, {
              whenOnline,
              ...(byId.get(ids[0]!)?.kept ? { confirmKept: true } : {}),
              ...(disk ? { disk } : {}),
            });
        const name = (id: number) => byId.get(id)?.name ?? `PC ${id}`;
        const [online, kept] = [r.online ?? [], r.kept ?? []];
        setDeferred(
          r.nextBoot.length || online.length || kept.length ? { nextBoot: r.nextBoot.map(name), online: online.map(name), kept: kept.map(name) } : null,
        );
        if (bulk) {
          setBulkJob(r.job);
          setSelected(new Set());
        }
      } catch (e) {
        const text = e instanceof ApiError ? e.message : "Cannot reach the server";
        setRequestErrors((prev) => ({ ...prev, ...Object.fromEntries(ids.map((id) => [id, text])) }));
      } finally {
        if (bulk) setBulkStarting(0);
        await mutate();
        setSending((prev) => new Set([...prev].filter((id) => !ids.includes(id))));
      }
    },
    [mutate, byId],
  );
  const cancelPending = useCallback(
    async (id: number) => {
      try {
        await requestJson("DELETE", `/api/machines/${id}/pending-reset`);
      } catch (e) {
        setRequestErrors((prev) => ({ ...prev, [id]: e instanceof ApiError ? e.message : "Cannot reach the server" }));
      }
      await mutate();
    },
    [mutate],
  );
  const refresh = useCallback(() => void mutate(), [mutate]);
  const dismiss = useCallback(() => {
    setBulkJob(null);
    setDeferred(null);
  }, []);

  const item = (m: MachineView): MachineItemProps => ({
    m,
    now: view.readAt,
    warnPercent: m.warnPercent,
    dangerPercent: m.dangerPercent,
    canReset,
    reachable,
    selected: selected.has(m.id),
    sending: sending.has(m.id),
    requestError: requestErrors[m.id],
    onSelect: (checked) =>
      setSelected((prev) => {
        const next = new Set(prev);
        if (checked) next.add(m.id);
        else next.delete(m.id);
        return next;
      }),
    onReset: () => setConfirm({ ids: [m.id], bulk: false }),
    onCancelPending: () => void cancelPending(m.id),
    onGrow: () => setGrowing(m.id),
  });
  const shown = useMemo(() => arrange(view.machines, arrangement, view.projectedFullMinutes), [view, arrangement]);
  /** Before the event: every PC, or one group's (the Group filter's, when one is shown). */
  const eventPcs = (group: string) => view.machines.filter((m) => !group || m.group === group).map((m) => m.id);
  const eventChoice: EventChoice | undefined =
    confirm?.event && view.groups.length > 1
      ? {
          groups: view.groups.map((g) => ({ ...g, count: view.machines.filter((m) => m.group === g.name).length })).filter((g) => g.count > 0),
          total: view.machines.length,
          group: confirm.group ?? "",
          onChoose: (group) => setConfirm({ ids: eventPcs(group), bulk: true, event: true, group }),
        }
      : undefined;
  const groups =
    view.hosts.length > 1
      ? view.hosts.map((h) => ({ host: h, machines: shown.filter((m) => m.host === h.name) })).filter((g) => g.machines.length > 0)
      : [{ host: null, machines: shown }];

  return (
    <div className="space-y-4">
      <SummaryBar view={view} stale={!reachable}>
        {/* Beside the room's name on a laptop (the list of a room still fits a 768 px screen), below it on a phone. */}
        <div className="flex min-w-0 flex-wrap items-center justify-end gap-x-3 gap-y-2">
          <GridControls value={arrangement} onChange={setArrangement} shown={shown.length} total={view.machines.length + pending} groups={view.groups} />
          <ViewToggle view={layout} onChange={setLayout} />
        </div>
      </SummaryBar>
      {view.hosts.map((h) => (
        <HostBanner key={h.name} host={h} now={view.readAt} />
      ))}
      {canReset && (
        <SelectionBar
          total={shown.length}
          selected={selected.size}
          allShown={shown.length === view.machines.length}
          allSelected={shown.length > 0 && shown.every((m) => selected.has(m.id))}
          reachable={reachable && pending === 0}
          onSelectAll={(checked) =>
            setSelected((prev) => {
              const next = new Set(prev);
              for (const m of shown)
                if (checked) next.add(m.id);
                else next.delete(m.id);
              return next;
            })
          }
          onResetSelected={() => setConfirm({ ids: [...selected].sort((a, b) => a - b), bulk: true })}
          onResetForEvent={() => {
            const group = view.groups.length > 1 && view.groups.some((g) => g.name === arrangement.group) ? arrangement.group! : "";
            setConfirm({ ids: eventPcs(group), bulk: true, event: true, group });
          }}
        >
          <JobBanner job={bulkJob} starting={bulkStarting} deferred={deferred} onDone={refresh} onDismiss={dismiss} />
        </SelectionBar>
      )}
      {groups.map(({ host, machines }) => {
        const label = host ? `PCs on ${host.name}` : "PCs";
        return (
          <section key={host?.name ?? "all"} aria-label={label} className="space-y-2">
            {host && (
              <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500">
                Storage host {host.name} <span className="font-normal normal-case">· {host.machines} PCs</span>
              </h2>
            )}
            {layout === "list" ? (
              <MachineList items={machines.map(item)} canReset={canReset} label={label} />
            ) : (
              <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
                {machines.map((m) => (
                  <MachineCard key={m.id} {...item(m)} />
                ))}
              </div>
            )}
          </section>
        );
      })}
      {pending > 0 && (
        <p role="status" className="rounded-xl bg-white px-4 py-3 text-center text-sm text-slate-500 ring-1 ring-slate-200">
          {`Loading ${pending} more PCs…`}
        </p>
      )}
      {shown.length === 0 && pending === 0 && (
        <p className="rounded-xl bg-white px-4 py-6 text-center text-sm text-slate-500 ring-1 ring-slate-200">
          No PC matches: change the search or show all PCs.
        </p>
      )}
      <GrowDialog m={growing === null ? null : (byId.get(growing) ?? null)} view={view} onClose={() => setGrowing(null)} onDone={refresh} />
      <ConfirmResetDialog
        targets={targets}
        event={confirm?.event}
        bulk={confirm?.bulk}
        choice={eventChoice}
        onCancel={() => setConfirm(null)}
        onConfirm={(whenOnline, disk) => confirm && run(confirm.ids, confirm.bulk, whenOnline, confirm.event, confirm.group, disk)}
      />
    </div>
  );
}
