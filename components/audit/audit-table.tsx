import type { AuditRow } from "@/lib/db/audit";
import { cn } from "@/components/ui/cn";
import { shortAddress } from "@/components/ui/address";
import { LocalTime } from "@/components/ui/local-time";
import { Cell, Head, stack } from "@/components/ui/stack-table";

const OUTCOME: Record<string, string> = {
  ok: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
  denied: "bg-amber-50 text-amber-900 ring-amber-300",
};

/** `now`: when the page was rendered, for "12 min ago" (the same on the server and in the browser). */
export function AuditTable({ rows, now }: { rows: AuditRow[]; now: number }) {
  if (rows.length === 0) return <p className="rounded-xl bg-white p-6 text-center text-slate-500 ring-1 ring-slate-200">No entries match.</p>;
  return (
    <div className={stack.wrap}>
      <table className={stack.table}>
        <Head columns={["When", "Who", "From", "Action", "Target", "Outcome", "Detail"]} />
        <tbody className={stack.tbody}>
          {rows.map((r) => (
            <tr key={r.id} className={stack.tr}>
              <Cell label="When" className="whitespace-nowrap">
                <LocalTime at={r.at} now={now} className="md:flex-col" />
              </Cell>
              <Cell label="Who">
                {r.actor ?? "–"} <span className="text-xs text-slate-400">{r.actorKind}</span>
              </Cell>
              <Cell label="From" className="font-mono text-xs">
                {r.address ? shortAddress(r.address) : "–"}
              </Cell>
              <Cell label="Action" className="font-mono text-xs">
                {r.action}
              </Cell>
              <Cell label="Target" className="max-w-48 truncate" title={r.target ?? ""}>
                {r.target ?? "–"}
              </Cell>
              <Cell label="Outcome">
                <span className={cn("rounded px-1.5 py-0.5 text-xs font-semibold ring-1", OUTCOME[r.outcome])}>{r.outcome}</span>
                {r.count > 1 && (
                  <span className="ml-1 whitespace-nowrap text-xs font-semibold text-slate-600" title={`${r.count} times within the minute`}>
                    ×{r.count}
                  </span>
                )}
              </Cell>
              <Cell label="Detail" className={cn("max-w-xs wrap-anywhere text-xs text-slate-600", !r.detail && "max-md:hidden")}>
                {r.detail}
              </Cell>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
