"use client";

import { useEffect, useRef } from "react";

/**
 * Select all, the count, the bulk job line and "Reset selected": sticky at the top of the window, so
 * on a phone it stays in reach while scrolling through the cards. Its height does not change when
 * a bulk starts or ends (the job line's place is always kept).
 */
export function SelectionBar(props: {
  /** PCs shown (the grid's filter); "Select all" selects these. */
  total: number;
  selected: number;
  /** Every PC of the room is shown (no filter). */
  allShown?: boolean;
  allSelected?: boolean;
  reachable: boolean;
  onSelectAll(checked: boolean): void;
  onResetSelected(): void;
  /** Every PC, before an event: the offline ones now, the running ones at their next boot. */
  onResetForEvent(): void;
  children: React.ReactNode;
}) {
  const { total, selected, reachable } = props;
  const allSelected = props.allSelected ?? (total > 0 && selected === total);
  const bar = useRef<HTMLDivElement>(null);
  // The list's sticky headers stop below this bar (--selection-bar-h on the grid, which holds both).
  useEffect(() => {
    const el = bar.current;
    const grid = el?.parentElement;
    if (!el || !grid) return;
    const set = () => grid.style.setProperty("--selection-bar-h", `${el.offsetHeight}px`);
    set();
    const ro = new ResizeObserver(set);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return (
    <div
      ref={bar}
      data-testid="selection-bar"
      className="sticky top-0 z-20 flex flex-wrap items-center gap-x-4 gap-y-1.5 rounded-xl bg-white/95 px-3 py-2.5 shadow-md ring-1 ring-slate-200 backdrop-blur sm:px-4"
    >
      <label className="flex items-center gap-2 text-sm font-medium">
        <input
          type="checkbox"
          aria-label={props.allShown === false ? `Select all ${total} PCs shown` : "Select all PCs"}
          checked={allSelected}
          disabled={!reachable}
          onChange={(e) => props.onSelectAll(e.target.checked)}
          className="size-4 accent-sky-600 disabled:cursor-not-allowed"
        />
        {props.allShown === false ? `Select ${total} shown` : "Select all"}
      </label>
      <span className="text-sm text-slate-500 tabular-nums max-sm:hidden">{selected} selected</span>
      <div className="order-last min-w-0 basis-full sm:order-none sm:basis-0 sm:flex-1">{props.children}</div>
      <button
        type="button"
        disabled={!reachable}
        onClick={props.onResetForEvent}
        className="ml-auto rounded-md px-3 py-1.5 text-sm font-semibold text-violet-800 ring-1 ring-violet-300 hover:bg-violet-50 disabled:cursor-not-allowed disabled:opacity-40"
      >
        Reset all before the event
      </button>
      <button
        type="button"
        disabled={selected === 0 || !reachable}
        onClick={props.onResetSelected}
        className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-800 disabled:cursor-not-allowed disabled:opacity-40"
      >
        Reset selected ({selected})
      </button>
    </div>
  );
}
