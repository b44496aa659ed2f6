import type { AuditRow } from "@/lib/db/audit";
import { dateTime } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";

const OUTCOME: Record<string, string> = {
  ok: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
  denied: "bg-amber-50 text-amber-900 ring-amber-300",
};

export function AuditTable({ rows }: { rows: AuditRow[] }) {
  if (rows.length === 0) return <p className="rounded-xl bg-white p-6 text-center text-slate-500 ring-1 ring-slate-200">No entries match.</p>;
  return (
    <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-3 py-2">When</th>
            <th scope="col" className="px-3 py-2">Who</th>
            <th scope="col" className="px-3 py-2">From</th>
            <th scope="col" className="px-3 py-2">Action</th>
            <th scope="col" className="px-3 py-2">Target</th>
            <th scope="col" className="px-3 py-2">Outcome</th>
            <th scope="col" className="px-3 py-2">Detail</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.id}>
              <td className="whitespace-nowrap px-3 py-2 tabular-nums">{dateTime(r.at)}</td>
              <td className="px-3 py-2">
                {r.actor ?? "–"} <span className="text-xs text-slate-400">{r.actorKind}</span>
              </td>
              <td className="px-3 py-2 font-mono text-xs">{r.address ?? "–"}</td>
              <td className="px-3 py-2 font-mono text-xs">{r.action}</td>
              <td className="max-w-48 truncate px-3 py-2" title={r.target ?? ""}>{r.target ?? "–"}</td>
              <td className="px-3 py-2">
                <span className={cn("rounded px-1.5 py-0.5 text-xs font-semibold ring-1", OUTCOME[r.outcome])}>{r.outcome}</span>
                {r.count > 1 && (
                  <span className="ml-1 whitespace-nowrap text-xs font-semibold text-slate-600" title={`${r.count} times within the minute`}>
                    ×{r.count}
                  </span>
                )}
              </td>
              <td className="max-w-xs px-3 wrap-anywhere py-2 text-xs text-slate-600">{r.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
