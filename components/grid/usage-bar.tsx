import type { MachineView } from "@/lib/status/machines-view";
import { cn } from "@/components/ui/cn";
import { mib } from "@/components/ui/format";
import { CONDITION_STYLE, conditionLabel } from "./levels";

/** A dead device (no numbers to show) fills its bar with stripes, so it cannot pass for an empty COW. */
const FULL_WHEN_DEAD = new Set(["invalid", "overflow", "no-snapshot"]);

/**
 * One disk's COW usage. A PC with a game disk shows two bars, each labelled ("System", "Games"):
 * `disk` "game" is its game disk's, in that disk's own condition colour, with the game disk version.
 */
export function UsageBar({
  m,
  warnPercent,
  dangerPercent,
  compact = false,
  disk = "system",
}: {
  m: MachineView;
  warnPercent: number;
  dangerPercent: number;
  compact?: boolean;
  disk?: "system" | "game";
}) {
  const game = disk === "game" ? m.game : null;
  if (disk === "game" && !game) return null;
  const d = game ?? m;
  // The system bar in the system disk's own colour: m.condition may be its game disk's.
  const condition = game ? game.condition : m.systemCondition;
  const style = CONDITION_STYLE[condition];
  const hasNumbers = d.percent !== null;
  const width = hasNumbers ? Math.min(100, d.percent!) : FULL_WHEN_DEAD.has(condition) ? 100 : 0;
  const label = m.game ? (game ? "Games" : "System") : null;
  const what = game ? "Game disk usage" : m.game ? "System disk usage" : "COW usage";
  const meter = (
    // biome-ignore lint/a11y/useSemanticElements: <meter> cannot be styled as the bar (colour by condition, full when dead) across browsers
    <div
      role="meter"
      aria-label={`${what} of ${m.name}`}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={hasNumbers ? d.percent! : undefined}
      aria-valuetext={hasNumbers ? `${d.percent} %` : conditionLabel({ condition }, warnPercent, dangerPercent)}
      data-disk={disk}
      className={cn("relative overflow-hidden rounded-full bg-slate-200", compact ? "h-2 min-w-16 flex-1" : game ? "h-2" : "h-3")}
    >
      <div className={cn("h-full rounded-full transition-[width] duration-700 ease-out", style.bar)} style={{ width: `${width}%` }} />
      <div className="absolute inset-y-0 w-px bg-slate-500/40" style={{ left: `${warnPercent}%` }} aria-hidden />
      <div className="absolute inset-y-0 w-px bg-slate-500/60" style={{ left: `${dangerPercent}%` }} aria-hidden />
    </div>
  );
  const percent = hasNumbers ? `${d.percent!.toFixed(1)} %` : "— %";
  const version = game?.image.version != null ? `v${game.image.version}` : null;
  if (compact)
    return (
      <div
        className="flex items-center gap-2"
        data-testid={game ? "game-usage" : "usage"}
        title={`${label ? `${game ? "Game disk" : "System disk"}: ` : ""}${mib(d.usedSectors)} / ${mib(d.totalSectors)} MiB${version ? `, ${version}` : ""}`}
      >
        {label && <span className="w-11 shrink-0 text-[11px] text-slate-500">{label}</span>}
        {meter}
        <span className="w-14 shrink-0 text-right text-xs font-semibold tabular-nums">{percent}</span>
      </div>
    );
  return (
    <div data-testid={game ? "game-usage" : "usage"}>
      {label && <p className="mb-0.5 text-xs font-medium text-slate-500">{game ? "Games (game disk)" : "System disk"}</p>}
      {meter}
      <div className={cn("mt-1 flex items-baseline justify-between gap-2 tabular-nums", game ? "text-xs" : "text-sm")}>
        <span className="font-semibold" data-testid="percent">
          {percent}
        </span>
        <span className="truncate text-slate-500" data-testid="used">
          {mib(d.usedSectors)} / {mib(d.totalSectors)} MiB{version && ` · ${version}`}
        </span>
      </div>
    </div>
  );
}
