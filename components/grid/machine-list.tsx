"use client";

import { cn } from "@/components/ui/cn";
import { conditionHelp, isProblem } from "./levels";
import { UsageBar } from "./usage-bar";
import { BootNote, FailureNote, GrowButton, GrowthLine, ImageNote, lastResetFailed, MachineLink, OnlinePill, PendingNote, ResetButton, ResetStatus, SelectBox, StateBadge, type MachineItemProps } from "./machine-parts";

/**
 * The compact view: one row per PC (a laptop screen holds the whole room). On a phone each row
 * wraps into three lines (name, state and Reset; usage; address, online and last reset) instead of
 * scrolling sideways. A broken PC gets a second row saying what is wrong and what to do.
 */
export function MachineList({ items, canReset, label }: { items: MachineItemProps[]; canReset: boolean; label: string }) {
  const th = "px-2 py-1.5 font-medium";
  return (
    <div className="overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      <table aria-label={label} className="w-full text-left text-sm max-sm:block">
        <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500 max-sm:sr-only">
          <tr>
            {canReset && (
              <th scope="col" className="w-8 py-1.5 pl-3">
                <span className="sr-only">Select</span>
              </th>
            )}
            <th scope="col" className={th}>PC</th>
            <th scope="col" className={th}>IP</th>
            <th scope="col" className={cn(th, "w-1/5")}>Usage</th>
            <th scope="col" className={th}>Fill rate · full</th>
            <th scope="col" className={th}>State</th>
            <th scope="col" className={th}>Online</th>
            <th scope="col" className={th}>Last reset</th>
            {canReset && (
              <th scope="col" className="py-1.5 pr-3">
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

function Row({ p, canReset }: { p: MachineItemProps; canReset: boolean }) {
  const { m, now, warnPercent, dangerPercent, reachable, selected } = p;
  const onOlderImage = m.image.version !== null && m.image.current !== null && m.image.version !== m.image.current;
  const note = !!m.pendingReset || !!m.image.update || onOlderImage || (m.boot.last?.result === "failed" && m.boot.state !== "booting") || (lastResetFailed(m) && !m.reset) || isProblem(m.condition);
  const cell = "px-2 py-1 max-sm:p-0";
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
          <td className="py-1 pl-3 max-sm:order-1 max-sm:p-0">
            <span className="flex">
              <SelectBox {...p} />
            </span>
          </td>
        )}
        <th scope="row" className={cn(cell, "font-mono font-semibold whitespace-nowrap max-sm:order-2 max-sm:flex-1")}>
          <MachineLink m={m} />
        </th>
        <td className={cn(cell, "font-mono text-xs whitespace-nowrap text-slate-600 max-sm:order-6")}>{m.ip}</td>
        <td className={cn(cell, "max-sm:order-5 max-sm:basis-full")}>
          <UsageBar m={m} warnPercent={warnPercent} dangerPercent={dangerPercent} compact />
        </td>
        <td className={cn(cell, "whitespace-nowrap max-sm:order-5")}>
          <GrowthLine m={m} compact />
        </td>
        <td className={cn(cell, "max-sm:order-3")}>
          <StateBadge m={m} warnPercent={warnPercent} dangerPercent={dangerPercent} />
        </td>
        <td className={cn(cell, "max-sm:order-7")}>
          <OnlinePill m={m} />
        </td>
        <td role="status" aria-live="polite" className={cn(cell, "text-xs whitespace-nowrap max-sm:order-8 max-sm:whitespace-normal")}>
          <ResetStatus {...p} />
        </td>
        {canReset && (
          <td className="py-1 pr-3 text-right whitespace-nowrap max-sm:order-4 max-sm:p-0">
            <span className="inline-flex gap-1.5">
              <GrowButton {...p} compact />
              <ResetButton {...p} compact />
            </span>
          </td>
        )}
      </tr>
      {note && (
        <tr aria-label={`${m.name}: what is wrong`} className={cn("max-sm:block max-sm:px-3 max-sm:pb-2", !reachable && "opacity-60")}>
          <td colSpan={canReset ? 9 : 7} className="px-3 pb-1.5 max-sm:block max-sm:p-0">
            <div className="space-y-0.5 rounded-md bg-slate-50 px-2 py-0.5 text-xs ring-1 ring-slate-200 sm:ml-8">
              {isProblem(m.condition) && <p className="text-slate-700">{conditionHelp(m)}</p>}
              {m.boot.last?.result === "failed" && m.boot.state !== "booting" && <BootNote m={m} now={now} />}
              <ImageNote m={m} />
              <PendingNote {...p} />
              <FailureNote m={m} now={now} />
            </div>
          </td>
        </tr>
      )}
    </>
  );
}
