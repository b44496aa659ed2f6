import type { Condition, MachinesView } from "@/lib/status/machines-view";
import { cn } from "@/components/ui/cn";
import { CONDITION_STYLE, PROBLEMS } from "./levels";
import { roomCounts } from "@/lib/client/room-counts";

/**
 * The room in numbers: PCs, online, filling up, dead; then one count per problem that any PC has
 * (host unreachable, suspended, LUN not exported, no snapshot, missing, unknown) in its badge colour.
 */
export function SummaryBar({ view, stale, children }: { view: MachinesView; stale: boolean; children?: React.ReactNode }) {
  // A first paint carries the whole room's numbers; afterwards they are counted from its PCs.
  const counts = view.partial?.counts ?? roomCounts(view.machines);
  const count = (...cs: Condition[]) => cs.reduce((n, c) => n + (counts.conditions[c] ?? 0), 0);
  const items: { key: string; label: string; n: number; color: string }[] = [
    { key: "pcs", label: "PCs", n: counts.pcs, color: "text-slate-900" },
    { key: "online", label: "online", n: counts.online, color: "text-sky-700" },
    { key: "full", label: `≥ ${view.warnPercent} %`, n: count("warn", "danger"), color: "text-amber-700" },
    { key: "dead", label: "Invalid / Overflow", n: count("invalid", "overflow"), color: "text-red-700" },
  ];
  const problems = PROBLEMS.map((c) => ({ c, n: count(c) })).filter((p) => p.n > 0);
  return (
    <div className="space-y-1.5">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">{view.lanName}</h1>
        {children}
      </div>
      <div className="flex flex-wrap items-baseline gap-x-5 gap-y-1.5" data-testid="summary">
        {items.map(({ key, label, n, color }) => (
          <span key={key} data-testid={`count-${key}`} className="text-sm text-slate-600">
            <span className={`text-base font-semibold tabular-nums ${color}`}>{n}</span> {label}
          </span>
        ))}
        {problems.map(({ c, n }) => (
          <span key={c} data-testid={`count-${c}`} className={cn("rounded-full px-2 py-0.5 text-sm ring-1", CONDITION_STYLE[c].badge)}>
            <span className="font-semibold tabular-nums">{n}</span> {CONDITION_STYLE[c].count}
          </span>
        ))}
        {stale && (
          <span role="alert" className="rounded bg-amber-100 px-2 py-0.5 text-sm text-amber-900">
            Cannot reach the server: showing the last known state; resets are off until it answers
          </span>
        )}
      </div>
    </div>
  );
}
