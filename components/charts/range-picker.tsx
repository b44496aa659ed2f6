"use client";

import { cn } from "@/components/ui/cn";
import { RANGE_NAMES, type RangeName } from "@/lib/validations/api";

/** The chart's time range: a row of toggle buttons (1h … 30d). */
export function RangePicker({ value, onChange, label }: { value: RangeName; onChange(r: RangeName): void; label: string }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a row of toggle buttons is an ARIA group; a fieldset would bring its border and legend
    <div role="group" aria-label={label} className="inline-flex rounded-lg bg-white p-0.5 shadow-sm ring-1 ring-slate-200">
      {RANGE_NAMES.map((r) => (
        <button
          key={r}
          type="button"
          aria-pressed={value === r}
          onClick={() => onChange(r)}
          className={cn(
            "rounded-md px-2.5 py-1 text-sm font-medium tabular-nums",
            value === r ? "bg-slate-900 text-white" : "text-slate-600 hover:bg-slate-100",
          )}
        >
          {r}
        </button>
      ))}
    </div>
  );
}
