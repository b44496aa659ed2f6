import { runtime } from "@cowherd/core";
import { requireUser } from "@/lib/next/current-user";
import { bootsQuery } from "@/lib/validations/api";
import { BootsTable } from "@/components/history/boots-table";
import { HistoryTabs } from "@/components/history/history-tabs";
import { FilterForm, FilterSelect } from "@/components/ui/filter-form";
import { Pager } from "@/components/ui/pager";
import { pageFilter } from "@/lib/validations/search-params";
import { FilterNotice } from "@/components/ui/filter-notice";

export const dynamic = "force-dynamic";
export const metadata = { title: "Boots · Cowherd" };

export default async function BootsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser();
  const rt = await runtime();
  const now = Date.now();
  const { q, raw, ignored } = pageFilter(bootsQuery, await searchParams, { page: 1, pageSize: 25, machine: undefined });
  const { rows, total } = rt.boots.list({ machineId: q.machine, page: q.page, pageSize: q.pageSize });
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Boot history</h1>
      <HistoryTabs current="boots" />
      <FilterNotice ignored={ignored} />
      <FilterForm action="/history/boots">
        <FilterSelect label="PC" name="machine" value={q.machine} any="All PCs" options={rt.config.machines.map((m) => ({ value: m.id, label: m.name }))} />
      </FilterForm>
      <BootsTable rows={rows} now={now} />
      <Pager base="/history/boots" params={raw} page={q.page} pageSize={q.pageSize} total={total} noun={total === 1 ? "boot" : "boots"} />
    </div>
  );
}
