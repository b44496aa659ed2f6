import { runtime } from "@cowherd/core";
import { requireUser } from "@/lib/next/current-user";
import { bootsQuery } from "@/lib/validations/api";
import { BootsTable } from "@/components/history/boots-table";
import { HistoryTabs } from "@/components/history/history-tabs";
import { Pager } from "@/components/ui/pager";
import { plainParams } from "@/lib/validations/search-params";

export const dynamic = "force-dynamic";

export default async function BootsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser();
  const rt = await runtime();
  const now = Date.now();
  const raw = plainParams(await searchParams);
  const parsed = bootsQuery.safeParse(raw);
  const q = parsed.success ? parsed.data : { page: 1, pageSize: 25, machine: undefined };
  const { rows, total } = rt.boots.list({ machineId: q.machine, page: q.page, pageSize: q.pageSize });
  const select = "mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Boot history</h1>
      <HistoryTabs current="boots" />
      {!parsed.success && (
        <p role="alert" className="rounded bg-amber-100 px-3 py-2 text-sm text-amber-900">
          Ignored an invalid filter in the address.
        </p>
      )}
      <form method="get" action="/history/boots" className="flex flex-wrap items-end gap-3 rounded-xl bg-white px-4 py-3 shadow-sm ring-1 ring-slate-200">
        <label className="text-sm font-medium">
          PC
          <select name="machine" defaultValue={q.machine ?? ""} className={select}>
            <option value="">All PCs</option>
            {rt.config.machines.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
          Filter
        </button>
      </form>
      <BootsTable rows={rows} now={now} />
      <Pager base="/history/boots" params={raw} page={q.page} pageSize={q.pageSize} total={total} noun={total === 1 ? "boot" : "boots"} />
    </div>
  );
}
