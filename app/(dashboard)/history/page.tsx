import { requireUser } from "@/lib/auth/current-user";
import { runtime } from "@/lib/runtime";
import { historyQuery } from "@/lib/validations/api";
import { HistoryTable } from "@/components/history/history-table";
import { HistoryFilters } from "@/components/history/history-filters";

export const dynamic = "force-dynamic";

export default async function HistoryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser();
  const rt = await runtime();
  const raw = Object.fromEntries(Object.entries(await searchParams).filter(([, v]) => typeof v === "string" && v !== "")) as Record<string, string>;
  const parsed = historyQuery.safeParse(raw);
  const q = parsed.success ? parsed.data : { page: 1, pageSize: 25, machine: undefined, result: undefined, source: undefined };
  const { rows, total } = rt.history.list({ machineId: q.machine, result: q.result, source: q.source, page: q.page, pageSize: q.pageSize });
  const pages = Math.max(1, Math.ceil(total / q.pageSize));
  const link = (page: number) => {
    const p = new URLSearchParams({ ...raw, page: String(page) });
    return `/history?${p.toString()}`;
  };
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Reset history</h1>
      {!parsed.success && (
        <p role="alert" className="rounded bg-amber-100 px-3 py-2 text-sm text-amber-900">
          Ignored an invalid filter in the address.
        </p>
      )}
      <HistoryFilters machines={rt.config.machines.map((m) => ({ id: m.id, name: m.name }))} machine={q.machine} result={q.result} source={q.source} />
      <HistoryTable rows={rows} />
      <nav aria-label="Pages" className="flex items-center justify-between text-sm">
        <span className="text-slate-600">
          {total} reset{total === 1 ? "" : "s"} · page {q.page} of {pages}
        </span>
        <span className="flex gap-2">
          {q.page > 1 ? (
            <a className="rounded-md px-3 py-1.5 ring-1 ring-slate-300 hover:bg-white" href={link(q.page - 1)}>
              Newer
            </a>
          ) : null}
          {q.page < pages ? (
            <a className="rounded-md px-3 py-1.5 ring-1 ring-slate-300 hover:bg-white" href={link(q.page + 1)}>
              Older
            </a>
          ) : null}
        </span>
      </nav>
    </div>
  );
}
