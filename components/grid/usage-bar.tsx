import type { MachineView } from "@/lib/status/machines-view";
import { cn } from "@/components/ui/cn";
import { mib } from "@/components/ui/format";
import { LEVEL_STYLE } from "./levels";

export function UsageBar({ m, warnPercent, dangerPercent }: { m: MachineView; warnPercent: number; dangerPercent: number }) {
  const style = LEVEL_STYLE[m.level];
  const hasNumbers = m.percent !== null;
  const width = hasNumbers ? Math.min(100, m.percent!) : m.level === "invalid" || m.level === "overflow" ? 100 : 0;
  return (
    <div>
      <div
        role="meter"
        aria-label={`COW usage of ${m.name}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={hasNumbers ? m.percent! : undefined}
        aria-valuetext={hasNumbers ? `${m.percent} %` : style.label}
        className="relative h-3 overflow-hidden rounded-full bg-slate-200"
      >
        <div className={cn("h-full rounded-full transition-[width] duration-700 ease-out", style.bar)} style={{ width: `${width}%` }} />
        <div className="absolute inset-y-0 w-px bg-slate-500/40" style={{ left: `${warnPercent}%` }} aria-hidden />
        <div className="absolute inset-y-0 w-px bg-slate-500/60" style={{ left: `${dangerPercent}%` }} aria-hidden />
      </div>
      <div className="mt-1 flex items-baseline justify-between text-sm tabular-nums">
        <span className="font-semibold">{hasNumbers ? `${m.percent!.toFixed(1)} %` : "— %"}</span>
        <span className="text-slate-500">
          {mib(m.usedSectors)} / {mib(m.totalSectors)} MiB
        </span>
      </div>
    </div>
  );
}
