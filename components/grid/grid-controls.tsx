"use client";

import { useId } from "react";
import { FILTERS, SORTS, type Arrangement, type GridFilter, type GridSort } from "./arrange";

/** Search, filter and sort for a big room: what the cards and the list show, in which order. */
export function GridControls({
  value,
  onChange,
  shown,
  total,
  groups = [],
}: {
  value: Arrangement;
  onChange(a: Arrangement): void;
  shown: number;
  total: number;
  /** The room's PC groups: a filter when there are several (a bulk reset of one group starts from it). */
  groups?: { name: string; label: string }[];
}) {
  const field = "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm";
  const id = useId();
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="grid-controls">
      <label className="min-w-0 flex-1 basis-40 sm:max-w-56">
        <span className="sr-only">Find a PC by name or address</span>
        <input
          type="search"
          placeholder="Find PC or IP…"
          value={value.query}
          onChange={(e) => onChange({ ...value, query: e.target.value })}
          className={`${field} w-full`}
        />
      </label>
      <span className="flex items-center gap-1.5 text-sm text-slate-600">
        <label htmlFor={`${id}-show`}>Show</label>
        <select id={`${id}-show`} value={value.filter} onChange={(e) => onChange({ ...value, filter: e.target.value as GridFilter })} className={field}>
          {Object.entries(FILTERS).map(([k, l]) => (
            <option key={k} value={k}>
              {l}
            </option>
          ))}
        </select>
      </span>
      {groups.length > 1 && (
        <span className="flex items-center gap-1.5 text-sm text-slate-600">
          <label htmlFor={`${id}-group`}>Group</label>
          <select id={`${id}-group`} value={value.group ?? ""} onChange={(e) => onChange({ ...value, group: e.target.value })} className={field}>
            <option value="">All groups</option>
            {groups.map((g) => (
              <option key={g.name} value={g.name}>
                {g.label}
              </option>
            ))}
          </select>
        </span>
      )}
      <span className="flex items-center gap-1.5 text-sm text-slate-600">
        <label htmlFor={`${id}-sort`}>Sort by</label>
        <select id={`${id}-sort`} value={value.sort} onChange={(e) => onChange({ ...value, sort: e.target.value as GridSort })} className={field}>
          {Object.entries(SORTS).map(([k, l]) => (
            <option key={k} value={k}>
              {l}
            </option>
          ))}
        </select>
      </span>
      <span className="text-sm tabular-nums text-slate-500" data-testid="shown-count" aria-live="polite">
        {shown === total ? `${total} PCs` : `${shown} of ${total} shown`}
      </span>
    </div>
  );
}
