import { runtime } from "@cowherd/core";
import { requireUser } from "@/lib/next/current-user";
import { eventsQuery } from "@/lib/validations/api";
import { pageFilter } from "@/lib/validations/search-params";
import { FilterNotice } from "@/components/ui/filter-notice";
import type { EventKind } from "@/lib/constants";
import { EventsTable } from "@/components/events/events-table";
import { EventFilters } from "@/components/events/event-filters";
import { Pager } from "@/components/ui/pager";

export const dynamic = "force-dynamic";
export const metadata = { title: "Events · Cowherd" };

export default async function EventsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser();
  const rt = await runtime();
  const now = Date.now();
  const { q, raw, ignored } = pageFilter(eventsQuery, await searchParams, eventsQuery.parse({}));
  const { rows, total } = rt.events.list({
    machineId: q.machine,
    kind: q.kind as EventKind | undefined,
    severity: q.severity,
    open: q.open === "1",
    page: q.page,
    pageSize: q.pageSize,
  });
  const open = rt.events.countOpen();
  const query = new URLSearchParams(raw).toString();
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">Events</h1>
        <p className="text-sm text-slate-600" data-testid="open-counts">
          Open now: <span className="font-semibold text-red-700">{open.danger ?? 0} danger</span> ·{" "}
          <span className="font-semibold text-amber-800">{open.warn ?? 0} warning</span>
          {" · "}
          <a href="/settings#alerts" className="underline-offset-2 hover:underline">
            notifications
          </a>
        </p>
      </div>
      <FilterNotice ignored={ignored} />
      <EventFilters
        machines={rt.config.machines.map((m) => ({ id: m.id, name: m.name }))}
        machine={q.machine}
        kind={q.kind}
        severity={q.severity}
        open={q.open === "1"}
      />
      <EventsTable query={query} initial={{ events: rows, total, page: q.page, pageSize: q.pageSize, open, readAt: now }} />
      <Pager base="/events" params={raw} page={q.page} pageSize={q.pageSize} total={total} noun={total === 1 ? "event" : "events"} />
    </div>
  );
}
