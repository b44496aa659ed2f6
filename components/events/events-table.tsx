"use client";

import useSWR from "swr";
import type { EventRow } from "@/lib/db/events";
import { EVENT_KINDS } from "@/lib/constants";
import { fetcher } from "@/lib/client/fetcher";
import { cn } from "@/components/ui/cn";
import { LocalTime } from "@/components/ui/local-time";
import { DataTable, type Column } from "@/components/ui/data-table";
import { PcLink } from "@/components/ui/pc-link";

export const SEVERITY_STYLE = {
  info: "bg-sky-50 text-sky-800 ring-sky-200",
  warn: "bg-amber-50 text-amber-900 ring-amber-300",
  danger: "bg-red-700 text-white ring-red-700",
} as const;

interface EventsAnswer {
  events: EventRow[];
  total: number;
  page: number;
  pageSize: number;
  open: Record<string, number>;
  /** The server's time of the answer ("12 s ago" is relative to it, never to the browser's clock). */
  readAt: number;
}

/**
 * Events, newest first, kept fresh (every 5 s) from the same query the page was rendered with. A
 * condition shows whether it is still open or when it cleared; a PC links to its page.
 */
export function EventsTable({ query, initial, showMachine = true }: { query: string; initial: EventsAnswer; showMachine?: boolean }) {
  const { data } = useSWR<EventsAnswer>(`/api/events?${query}`, fetcher, { refreshInterval: 5000, fallbackData: initial, keepPreviousData: true });
  const { events: rows, readAt } = data ?? initial;
  return (
    <DataTable
      label="Events"
      columns={columns(readAt, showMachine)}
      rows={rows}
      rowKey={(e) => e.id}
      row={(e) => ({ "data-kind": e.kind, "data-severity": e.severity })}
      empty="No events match."
    />
  );
}

const columns = (readAt: number, showMachine: boolean): Column<EventRow>[] => [
  { label: "When", className: "whitespace-nowrap", cell: (e) => <LocalTime at={e.at} now={readAt} className="md:flex-col" /> },
  ...(showMachine
    ? [
        {
          label: "PC / host",
          className: "font-mono font-semibold whitespace-nowrap",
          cell: (e: EventRow) => (e.machineId !== null ? <PcLink id={e.machineId} name={e.machineName ?? `PC ${e.machineId}`} /> : (e.host ?? "room")),
        },
      ]
    : []),
  {
    label: "What",
    className: "min-w-64",
    cell: (e) => (
      <>
        <span className="block text-xs font-semibold uppercase tracking-wide text-slate-500">{EVENT_KINDS[e.kind]?.label ?? e.kind}</span>
        {e.message}
      </>
    ),
  },
  {
    label: "Severity",
    cell: (e) => <span className={cn("inline-block rounded px-1.5 py-0.5 text-xs font-semibold ring-1", SEVERITY_STYLE[e.severity])}>{e.severity}</span>,
  },
  {
    label: "State",
    className: "whitespace-nowrap text-xs",
    cell: (e) =>
      e.conditionKey === null ? (
        <span className="text-slate-400">—</span>
      ) : e.clearedAt === null ? (
        <span className="font-semibold text-red-700">open</span>
      ) : (
        <span className="text-slate-500">
          cleared <LocalTime at={e.clearedAt} now={readAt} relative />
        </span>
      ),
  },
];
