import type { BootRow } from "@/lib/db/boots";
import { cn } from "@/components/ui/cn";
import { LocalTime } from "@/components/ui/local-time";
import { Cell, Head, stack } from "@/components/ui/stack-table";

const RESULT: Record<BootRow["result"], { label: string; style: string }> = {
  ok: { label: "booted", style: "bg-emerald-50 text-emerald-800 ring-emerald-200" },
  returned: { label: "system ended", style: "bg-slate-50 text-slate-700 ring-slate-200" },
  failed: { label: "failed", style: "bg-red-50 text-red-800 ring-red-200" },
  booting: { label: "booting", style: "bg-sky-50 text-sky-800 ring-sky-200" },
};

/** Boots through the iPXE script: when each PC came up (or why not), and the reset done first. */
export function BootsTable({ rows, now }: { rows: BootRow[]; now: number }) {
  if (rows.length === 0) return <p className="rounded-xl bg-white p-6 text-center text-slate-500 ring-1 ring-slate-200">No boots match.</p>;
  return (
    <div className={stack.wrap}>
      <table className={stack.table}>
        <Head columns={["PC", "Started", "Ended", "Result", "Reset first", "Error"]} />
        <tbody className={stack.tbody}>
          {rows.map((b) => (
            <tr key={b.id} className={stack.tr}>
              <Cell label="PC" className="font-mono font-semibold">
                {b.machineName}
              </Cell>
              <Cell label="Started" className="whitespace-nowrap">
                <LocalTime at={b.startedAt} now={now} className="md:flex-col" />
              </Cell>
              <Cell label="Ended" className="whitespace-nowrap">
                <LocalTime at={b.endedAt} now={now} className="md:flex-col" />
              </Cell>
              <Cell label="Result">
                <span className={cn("rounded px-1.5 py-0.5 text-xs font-semibold ring-1", RESULT[b.result].style)}>{RESULT[b.result].label}</span>
              </Cell>
              <Cell label="Reset first">{b.resetId !== null ? "yes (it was marked for its next boot)" : "–"}</Cell>
              <Cell label="Error" className={cn("max-w-xs text-red-800", !b.error && !b.failedStep && "max-md:hidden")}>
                {b.failedStep && <span className="font-mono text-xs">{b.failedStep}: </span>}
                {b.error}
              </Cell>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
