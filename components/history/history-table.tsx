import type { ResetRow } from "@/lib/db/history";
import { dateTime, mib } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";

const RESULT_STYLE: Record<string, string> = {
  ok: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
  interrupted: "bg-amber-50 text-amber-900 ring-amber-200",
  running: "bg-sky-50 text-sky-800 ring-sky-200",
};

export function HistoryTable({ rows }: { rows: ResetRow[] }) {
  if (rows.length === 0) return <p className="rounded-xl bg-white p-6 text-center text-slate-500 ring-1 ring-slate-200">No resets match.</p>;
  return (
    <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-3 py-2">PC</th>
            <th scope="col" className="px-3 py-2">Requested by</th>
            <th scope="col" className="px-3 py-2">Started</th>
            <th scope="col" className="px-3 py-2">Ended</th>
            <th scope="col" className="px-3 py-2 text-right">Usage before</th>
            <th scope="col" className="px-3 py-2 text-right">Duration</th>
            <th scope="col" className="px-3 py-2">Result</th>
            <th scope="col" className="px-3 py-2">Error</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.id}>
              <td className="px-3 py-2 font-mono font-semibold">{r.machineName}</td>
              <td className="px-3 py-2">
                {r.source}
                {r.requestedBy && <span className="text-slate-500"> · {r.requestedBy}</span>}
              </td>
              <td className="whitespace-nowrap px-3 py-2 tabular-nums">{dateTime(r.startedAt)}</td>
              <td className="whitespace-nowrap px-3 py-2 tabular-nums">{dateTime(r.endedAt)}</td>
              <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">
                {r.usedBefore !== null && r.totalBefore ? `${mib(r.usedBefore)} MiB (${((r.usedBefore / r.totalBefore) * 100).toFixed(1)} %)` : (r.stateBefore ?? "–")}
              </td>
              <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">{r.durationMs === null ? "–" : `${(r.durationMs / 1000).toFixed(2)} s`}</td>
              <td className="px-3 py-2">
                <span className={cn("rounded px-1.5 py-0.5 text-xs font-semibold ring-1", RESULT_STYLE[r.result])}>{r.result}</span>
              </td>
              <td className="max-w-xs px-3 py-2 text-red-800">
                {r.failedStep && <span className="font-mono text-xs">{r.failedStep}: </span>}
                {r.error}
                {r.outcome && r.result === "failed" && <span className="block text-xs text-slate-500">ended: {r.outcome}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
