import type { MachineView } from "@/lib/status/machines-view";
import { cn } from "@/components/ui/cn";
import { mib } from "@/components/ui/format";
import { CONDITION_STYLE, conditionLabel } from "./levels";

/** A dead device (no numbers to show) fills its bar with stripes, so it cannot pass for an empty COW. */
const FULL_WHEN_DEAD = new Set(["invalid", "overflow", "no-snapshot"]);

export function UsageBar({
  m,
  warnPercent,
  dangerPercent,
  compact = false,
}: {
  m: MachineView;
  warnPercent: number;
  dangerPercent: number;
  compact?: boolean;
}) {
  const style = CONDITION_STYLE[m.condition];
  const hasNumbers = m.percent !== null;
  const width = hasNumbers ? Math.min(100, m.percent!) : FULL_WHEN_DEAD.has(m.condition) ? 100 : 0;
  const meter = (
    // biome-ignore lint/a11y/useSemanticElements: <meter> cannot be styled as the bar (colour by condition, full when dead) across browsers
    <div
      role="meter"
      aria-label={`COW usage of ${m.name}`}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={hasNumbers ? m.percent! : undefined}
      aria-valuetext={hasNumbers ? `${m.percent} %` : conditionLabel(m, warnPercent, dangerPercent)}
      className={cn("relative overflow-hidden rounded-full bg-slate-200", compact ? "h-2 min-w-16 flex-1" : "h-3")}
    >
      <div className={cn("h-full rounded-full transition-[width] duration-700 ease-out", style.bar)} style={{ width: `${width}%` }} />
      <div className="absolute inset-y-0 w-px bg-slate-500/40" style={{ left: `${warnPercent}%` }} aria-hidden />
      <div className="absolute inset-y-0 w-px bg-slate-500/60" style={{ left: `${dangerPercent}%` }} aria-hidden />
    </div>
  );
  const percent = hasNumbers ? `${m.percent!.toFixed(1)} %` : "— %";
  if (compact)
    return (
      <div className="flex items-center gap-2" title={`${mib(m.usedSectors)} / ${mib(m.totalSectors)} MiB`}>
        {meter}
        <span className="w-14 shrink-0 text-right text-xs font-semibold tabular-nums">{percent}</span>
      </div>
    );
  return (
    <div>
      {meter}
      <div className="mt-1 flex items-baseline justify-between text-sm tabular-nums">
        <span className="font-semibold">{percent}</span>
        <span className="text-slate-500">
          {mib(m.usedSectors)} / {mib(m.totalSectors)} MiB
        </span>
      </div>
    </div>
  );
}
