import type { ResetRow } from "@/lib/db/history";
import { mib } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";
import { LocalTime } from "@/components/ui/local-time";
import { Cell, Head, stack } from "@/components/ui/stack-table";
import { PcLink } from "@/components/ui/pc-link";

const RESULT_STYLE: Record<string, string> = {
  ok: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
  interrupted: "bg-amber-50 text-amber-900 ring-amber-200",
  running: "bg-sky-50 text-sky-800 ring-sky-200",
};

/** `now`: when the page was rendered, for "12 min ago" (the same on the server and in the browser). */
export function HistoryTable({ rows, now }: { rows: ResetRow[]; now: number }) {
  if (rows.length === 0) return <p className="rounded-xl bg-white p-6 text-center text-slate-500 ring-1 ring-slate-200">No resets match.</p>;
  return (
    <div className={stack.wrap}>
      <table className={stack.table}>
        <Head columns={["PC", "Requested by", "Started", "Ended", "Usage before", "Duration", "Result", "Error"]} right={["Usage before", "Duration"]} />
        <tbody className={stack.tbody}>
          {rows.map((r) => (
            <tr key={r.id} className={stack.tr}>
              <Cell label="PC" className="font-mono font-semibold">
                <PcLink id={r.machineId} name={r.machineName} />
                {r.disk && (
                  <span data-testid="reset-disk" className="block font-sans text-xs font-normal text-slate-500">
                    {r.disk === "game" ? "game disk only" : "system disk only"}
                  </span>
                )}
              </Cell>
              <Cell label="By">
                {r.source}
                {r.requestedBy && <span className="text-slate-500"> · {r.requestedBy}</span>}
              </Cell>
              <Cell label="Started" className="whitespace-nowrap">
                <LocalTime at={r.startedAt} now={now} className="md:flex-col" />
              </Cell>
              <Cell label="Ended" className="whitespace-nowrap">
                <LocalTime at={r.endedAt} now={now} className="md:flex-col" />
              </Cell>
              <Cell label="Usage before" className="whitespace-nowrap text-right tabular-nums">
                {r.usedBefore !== null && r.totalBefore
                  ? `${mib(r.usedBefore)} MiB (${((r.usedBefore / r.totalBefore) * 100).toFixed(1)} %)`
                  : (r.stateBefore ?? "–")}
              </Cell>
              <Cell label="Duration" className="whitespace-nowrap text-right tabular-nums">
                {r.durationMs === null ? "–" : `${(r.durationMs / 1000).toFixed(2)} s`}
              </Cell>
              <Cell label="Result">
                <span className={cn("rounded px-1.5 py-0.5 text-xs font-semibold ring-1", RESULT_STYLE[r.result])}>{r.result}</span>
              </Cell>
              <Cell label="Error" className={cn("max-w-xs text-red-800", !r.error && !r.failedStep && "max-md:hidden")}>
                {r.failedStep && <span className="font-mono text-xs">{r.failedStep}: </span>}
                {r.error}
                {r.outcome && r.result === "failed" && <span className="block text-xs text-slate-500">ended: {r.outcome}</span>}
              </Cell>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
