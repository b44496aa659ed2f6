"use client";

import type { RangeName } from "@/lib/validations/api";
import { RangePicker } from "@/components/charts/range-picker";
import { ChartState } from "./chart-state";

/**
 * A chart's panel: its title and range buttons, and the chart once its data is there (skeleton, error
 * or "nothing yet" before). `box` is measured for the chart's width (useChartPoints): the chart is drawn
 * that wide, so that is how many points its request asks for.
 */
export function ChartPanel(props: {
  label: string;
  title: string;
  range: RangeName;
  onRange(r: RangeName): void;
  box: React.Ref<HTMLDivElement>;
  loading: boolean;
  error: unknown;
  empty: boolean;
  emptyText: string;
  children: React.ReactNode;
}) {
  return (
    <section aria-label={props.label} className="space-y-2 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-base font-semibold">{props.title}</h2>
        <RangePicker value={props.range} onChange={props.onRange} label="Chart range" />
      </div>
      <div ref={props.box} className="min-w-0 space-y-2">
        <ChartState loading={props.loading} error={props.error} empty={props.empty} emptyText={props.emptyText}>
          {props.children}
        </ChartState>
      </div>
    </section>
  );
}
