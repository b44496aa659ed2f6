"use client";

import { cn } from "@/components/ui/cn";
import { conditionHelp, isProblem } from "./levels";
import { UsageBar } from "./usage-bar";
import {
  BootNote,
  FailureNote,
  GameImageNote,
  GrowButton,
  GrowthLine,
  ImageNote,
  KeptBadge,
  lastResetFailed,
  MachineLink,
  OnlinePill,
  PendingNote,
  ResetButton,
  ResetStatus,
  SelectBox,
  StateBadge,
  type MachineItemProps,
} from "./machine-parts";

/**
 * The compact view: one row per PC (a laptop screen holds the whole room). On a phone each row
 * wraps into three lines (name, state and Reset; usage and fill rate; online, address and last reset) instead of
 * scrolling sideways. A broken PC gets a second row saying what is wrong and what to do.
 */
export function MachineList({ items, canReset, label }: { items: MachineItemProps[]; canReset: boolean; label: string }) {
  // Headers stay in view while a big room scrolls, under the sticky selection bar (overflow-clip,
  // unlike overflow-hidden, lets them stick).
  const th = "sticky top-[var(--selection-bar-h,0px)] z-10 bg-slate-50 px-2 py-1.5 font-medium shadow-[inset_0_-1px_0] shadow-slate-200";
  return (
    <div className="overflow-clip rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      <table aria-label={label} className="w-full text-left text-sm max-sm:block">
        <thead data-testid="list-head" className="text-xs uppercase tracking-wide text-slate-500 max-sm:sr-only">
          <tr>
            {canReset && (
              <th scope="col" className={cn(th, "w-8 pr-0 pl-3")}>
                <span className="sr-only">Select</span>
              </th>
            )}
            <th scope="col" className={th}>
              PC
            </th>
            <th scope="col" className={th}>
              IP
            </th>
            <th scope="col" className={cn(th, "w-1/5")}>
              Usage
            </th>
            <th scope="col" className={th}>
              Fill rate · full
            </th>
            <th scope="col" className={th}>
              State
            </th>
            <th scope="col" className={th}>
              Online
            </th>
            <th scope="col" className={th}>
              Last reset
            </th>
            {canReset && (
              <th scope="col" className={cn(th, "pr-3")}>
                <span className="sr-only">Reset</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 max-sm:block">
          {items.map((p) => (
            <Row key={p.m.id} p={p} canReset={canReset} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * On a phone a row is a wrapping flex line: this forces the next cells onto a new line, so each
 * line's content starts at the same place in every row (usage on the second, the Online pill first
 * on the third). Not shown on a wider screen.
 */
function LineBreak({ className }: { className: string }) {
  return <td aria-hidden className={cn("hidden max-sm:block max-sm:h-0 max-sm:basis-full max-sm:p-0", className)} />;
}

function Row({ p, canReset }: { p: MachineItemProps; canReset: boolean }) {
  const { m, now, warnPercent, dangerPercent, reachable, selected } = p;
  const onOlderImage =
    (m.image.version !== null && m.image.current !== null && m.image.version !== m.image.current) ||
    (!!m.game && m.game.image.version !== null && m.game.image.current !== null && m.game.image.version !== m.game.image.current);
  const note =
    !!m.pendingReset ||
    !!m.image.update ||
    !!m.game?.image.update ||
    onOlderImage ||
    (m.boot.last?.result === "failed" && m.boot.state !== "booting") ||
    (lastResetFailed(m) && !m.reset) ||
    isProblem(m.condition);
  const cell = "px-2 py-0.5 max-sm:p-0";
  return (
    <>
      <tr
        aria-label={m.name}
        data-condition={m.condition}
        data-stale={!reachable || undefined}
        className={cn(
          "max-sm:flex max-sm:flex-wrap max-sm:items-center max-sm:gap-x-2 max-sm:gap-y-1 max-sm:px-3 max-sm:py-2",
          selected && "bg-sky-50",
          !reachable && "opacity-60",
          note && "border-b-0",
        )}
      >
        {canReset && (
          <td className="py-0.5 pl-3 max-sm:order-1 max-sm:p-0">
            <span className="flex">
              <SelectBox {...p} />
            </span>
          </td>
        )}
        <th scope="row" className={cn(cell, "font-mono font-semibold whitespace-nowrap max-sm:order-2 max-sm:flex-1")}>
          <MachineLink m={m} />
          {m.kept && (
            <span className="ml-1.5 align-middle font-sans">
              <KeptBadge m={m} />
            </span>
          )}
        </th>
        <td className={cn(cell, "font-mono text-xs whitespace-nowrap text-slate-600 max-sm:order-9")}>{m.ip}</td>
        <LineBreak className="max-sm:order-5" />
        <td className={cn(cell, "max-sm:order-6 max-sm:min-w-0 max-sm:flex-1")}>
          <UsageBar m={m} warnPercent={warnPercent} dangerPercent={dangerPercent} compact />
          {m.game && <UsageBar m={m} warnPercent={warnPercent} dangerPercent={dangerPercent} compact disk="game" />}
        </td>
        <td className={cn(cell, "whitespace-nowrap max-sm:order-6 max-sm:shrink-0")}>
          <GrowthLine m={m} compact />
        </td>
        <LineBreak className="max-sm:order-7" />
        <td className={cn(cell, "max-sm:order-3")}>
          <StateBadge m={m} warnPercent={warnPercent} dangerPercent={dangerPercent} />
        </td>
        <td className={cn(cell, "max-sm:order-8")} data-testid="online-cell">
          <OnlinePill m={m} />
        </td>
        <td
          role="status"
          aria-live="polite"
          className={cn(cell, "text-xs whitespace-nowrap max-sm:order-10 max-sm:min-w-0 max-sm:flex-1 max-sm:whitespace-normal")}
        >
          <ResetStatus {...p} />
        </td>
        {canReset && (
          <td className="py-0.5 pr-3 text-right whitespace-nowrap max-sm:order-4 max-sm:p-0">
            <span className="inline-flex gap-1.5">
              <GrowButton {...p} compact />
              <ResetButton {...p} compact />
            </span>
          </td>
        )}
      </tr>
      {note && (
        <tr aria-label={`${m.name}: what is wrong`} className={cn("max-sm:block max-sm:px-3 max-sm:pb-2", !reachable && "opacity-60")}>
          <td colSpan={canReset ? 11 : 9} className="px-3 pb-1.5 max-sm:block max-sm:p-0">
            <div className="space-y-0.5 rounded-md bg-slate-50 px-2 py-0.5 text-xs ring-1 ring-slate-200 sm:ml-8">
              {isProblem(m.condition) && <p className="text-slate-700">{conditionHelp(m)}</p>}
              {m.boot.last?.result === "failed" && m.boot.state !== "booting" && <BootNote m={m} now={now} />}
              <ImageNote m={m} />
              <GameImageNote m={m} />
              <PendingNote {...p} />
              <FailureNote m={m} now={now} />
            </div>
          </td>
        </tr>
      )}
    </>
  );
}
