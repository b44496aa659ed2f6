import type { MachinesView } from "@/lib/status/machines-view";

export function SummaryBar({ view, stale }: { view: MachinesView; stale: boolean }) {
  const count = (pred: (m: MachinesView["machines"][number]) => boolean) => view.machines.filter(pred).length;
  const items: [string, number, string][] = [
    ["PCs", view.machines.length, "text-slate-900"],
    ["online", count((m) => m.online), "text-sky-700"],
    [`≥ ${view.warnPercent} %`, count((m) => m.level === "warn" || m.level === "danger"), "text-amber-700"],
    ["Invalid / Overflow", count((m) => m.level === "invalid" || m.level === "overflow"), "text-red-700"],
    ["missing", count((m) => m.level === "missing"), "text-slate-600"],
  ];
  return (
    <div className="flex flex-wrap items-baseline gap-x-6 gap-y-1">
      <h1 className="mr-2 text-xl font-semibold">{view.lanName}</h1>
      {items.map(([label, n, color]) => (
        <span key={label} className="text-sm text-slate-600">
          <span className={`text-base font-semibold tabular-nums ${color}`}>{n}</span> {label}
        </span>
      ))}
      {stale && (
        <span role="alert" className="rounded bg-amber-100 px-2 py-0.5 text-sm text-amber-900">
          Cannot reach the server: showing the last known state
        </span>
      )}
    </div>
  );
}
