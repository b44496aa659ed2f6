import { runtime } from "@cowherd/core";
import { requireUser } from "@/lib/next/current-user";
import { AdminOnly } from "@/components/auth/admin-only";
import { auditQuery } from "@/lib/validations/api";
import { AuditTable } from "@/components/audit/audit-table";
import { Pager } from "@/components/ui/pager";
import { pageFilter } from "@/lib/validations/search-params";
import { FilterNotice } from "@/components/ui/filter-notice";

export const dynamic = "force-dynamic";
export const metadata = { title: "Audit · Cowherd" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  if (user.role !== "admin") return <AdminOnly what="the audit log" user={user} />;
  const rt = await runtime();
  const now = Date.now();
  const { q, raw, ignored } = pageFilter(auditQuery, await searchParams, { page: 1, pageSize: 50 });
  const { rows, total } = rt.audit.list(q);
  const select = "mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Audit log</h1>
      <FilterNotice ignored={ignored} />
      <form method="get" action="/audit" className="flex flex-wrap items-end gap-3 rounded-xl bg-white px-4 py-3 shadow-sm ring-1 ring-slate-200">
        <label className="text-sm font-medium">
          Action
          <select name="action" defaultValue={"action" in q ? (q.action ?? "") : ""} className={select}>
            <option value="">Any action</option>
            {rt.audit.actions().map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium">
          Actor
          <input name="actor" defaultValue={"actor" in q ? (q.actor ?? "") : ""} className={select} />
        </label>
        <label className="text-sm font-medium">
          Outcome
          <select name="outcome" defaultValue={"outcome" in q ? (q.outcome ?? "") : ""} className={select}>
            <option value="">Any outcome</option>
            <option value="ok">ok</option>
            <option value="failed">failed</option>
            <option value="denied">denied</option>
          </select>
        </label>
        <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
          Filter
        </button>
        <a href="/audit" className="px-2 py-1.5 text-sm text-slate-600 hover:underline">
          Clear
        </a>
      </form>
      <AuditTable rows={rows} now={now} />
      <Pager base="/audit" params={raw} page={q.page} pageSize={q.pageSize} total={total} noun="entries" />
    </div>
  );
}
