"use client";

import { cn } from "@/components/ui/cn";
import { mib } from "@/components/ui/format";
import { CONDITION_STYLE, conditionHelp, isProblem } from "./levels";
import { UsageBar } from "./usage-bar";
import {
  BootNote,
  FailureNote,
  GameImageNote,
  GrowButton,
  isBusy,
  GrowthLine,
  KeptBadge,
  ImageNote,
  MachineLink,
  OnlinePill,
  PendingNote,
  ResetButton,
  ResetStatus,
  SelectBox,
  StateBadge,
  type MachineItemProps,
} from "./machine-parts";

/** `selectable`: false on a PC's own page, where there is nothing to select it with. */
export function MachineCard({ selectable = true, ...p }: MachineItemProps & { selectable?: boolean }) {
  const { m, now, warnPercent, dangerPercent, canReset, reachable, selected } = p;
  const help = conditionHelp(m);
  return (
    <article
      aria-label={m.name}
      data-level={m.level}
      data-condition={m.condition}
      data-stale={!reachable || undefined}
      className={cn(
        "flex flex-col gap-3 rounded-xl bg-white p-4 shadow-sm ring-1 transition-opacity",
        CONDITION_STYLE[m.condition].card,
        selected && "outline-2 outline-sky-500",
        !reachable && "opacity-60",
      )}
    >
      <div className="flex items-start gap-2">
        {canReset && selectable && (
          <span className="mt-1 flex">
            <SelectBox {...p} />
          </span>
        )}
        <div className="min-w-0 flex-1">
          <h2 className="font-mono text-base font-semibold leading-tight">
            <MachineLink m={m} />
          </h2>
          <p data-testid="address" className="truncate font-mono text-xs text-slate-500">
            {m.ip} · {m.dmName}
          </p>
        </div>
        <OnlinePill m={m} />
      </div>

      <div className="space-y-2">
        <UsageBar m={m} warnPercent={warnPercent} dangerPercent={dangerPercent} />
        <UsageBar m={m} warnPercent={warnPercent} dangerPercent={dangerPercent} disk="game" />
      </div>

      <div className="flex min-h-6 flex-wrap items-center gap-x-2 gap-y-1 text-xs">
        <StateBadge m={m} warnPercent={warnPercent} dangerPercent={dangerPercent} />
        {/* Here, not in the title row: at four cards across it would cut the address line there. */}
        <KeptBadge m={m} />
        {isProblem(m.condition) ? (
          <p className="basis-full text-slate-700">{help}</p>
        ) : (
          <span className="min-w-0 flex-1 truncate text-slate-500" title={help || undefined}>
            {help || (m.totalSectors !== null && m.usedSectors !== null ? `${mib(m.totalSectors - m.usedSectors)} MiB free` : "")}
          </span>
        )}
      </div>

      <GrowthLine m={m} />

      <BootNote m={m} now={now} />
      <ImageNote m={m} />
      <GameImageNote m={m} />
      <PendingNote {...p} />
      <FailureNote m={m} now={now} className="rounded-md bg-red-50 px-2 py-1.5 ring-1 ring-red-200" />

      {/* The reset line wraps beside the buttons rather than being cut ("Last reset 35 s ago (0…"). */}
      <div className="mt-auto flex items-center gap-2 border-t border-slate-100 pt-3">
        <p role="status" aria-live="polite" data-testid="reset-line" className="min-w-0 flex-1 text-xs leading-snug text-pretty">
          <ResetStatus {...p} />
        </p>
        {/* While it resets, its step needs the room: Grow could not run then anyway. */}
        {canReset && !isBusy(p) && <GrowButton {...p} />}
        {canReset && <ResetButton {...p} />}
      </div>
    </article>
  );
}
