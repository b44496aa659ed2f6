import { runtime } from "@cowherd/core";
import { requireUser } from "@/lib/next/current-user";
import { historyQuery } from "@/lib/validations/api";
import { HistoryTable } from "@/components/history/history-table";
import { HistoryFilters } from "@/components/history/history-filters";
import { HistoryTabs } from "@/components/history/history-tabs";
import { Pager } from "@/components/ui/pager";
import { pageFilter } from "@/lib/validations/search-params";
import { FilterNotice } from "@/components/ui/filter-notice";

export const dynamic = "force-dynamic";
export const metadata = { title: "History · Cowherd" };

export default async function HistoryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser();
  const rt = await runtime();
  const now = Date.now();
  const { q, raw, ignored } = pageFilter(historyQuery, await searchParams, { page: 1, pageSize: 25, machine: undefined, result: undefined, source: undefined });
  const { rows, total } = rt.history.list({ machineId: q.machine, result: q.result, source: q.source, page: q.page, pageSize: q.pageSize });
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Reset history</h1>
      <HistoryTabs current="resets" />
      <FilterNotice ignored={ignored} />
      <HistoryFilters machines={rt.config.machines.map((m) => ({ id: m.id, name: m.name }))} machine={q.machine} result={q.result} source={q.source} />
      <HistoryTable rows={rows} now={now} />
      <Pager base="/history" params={raw} page={q.page} pageSize={q.pageSize} total={total} noun={total === 1 ? "reset" : "resets"} />
    </div>
  );
}
