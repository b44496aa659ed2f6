"use client";

import { useMemo, useState } from "react";
import useSWR from "swr";
import { fetcher } from "@/lib/client/fetcher";
import type { MachineChart } from "@/lib/usage/charts";
import type { RangeName } from "@/lib/validations/api";
import { TimeChart, type ChartMarker, type ChartSeries } from "@/components/charts/time-chart";
import { useChartPoints } from "@/components/charts/use-chart-points";
import { ChartPanel } from "./chart-panel";

const MIB = 2048;
const mibFmt = (v: number) => `${v.toFixed(1)} MiB`;

/** One PC's COW use over time, its COW's size, and its resets, boots and growth as marked moments. */
export function MachineUsageChart({ id, name }: { id: number; name: string }) {
  const [range, setRange] = useState<RangeName>("6h");
  const { box, points } = useChartPoints<HTMLDivElement>();
  const { data, error, isLoading } = useSWR<MachineChart & { range: RangeName }>(
    points === null ? null : `/api/machines/${id}/usage?range=${range}&points=${points}`,
    fetcher,
    { refreshInterval: 10_000, keepPreviousData: true },
  );

  const chart = useMemo(() => {
    if (!data) return null;
    const xs = data.points.map((p) => p[0]);
    const series: ChartSeries[] = [
      { label: "Used", values: data.points.map((p) => (p[1] === null ? null : p[1] / MIB)), color: "#0284c7", fill: "rgba(2,132,199,0.12)", format: mibFmt },
      { label: "COW size", values: data.points.map((p) => (p[2] === null ? null : p[2] / MIB)), color: "#475569", step: true, dash: [6, 4], format: mibFmt },
    ];
    const markers: ChartMarker[] = [
      ...data.resets.map((r) => ({ at: r.at, color: r.result === "ok" ? "#059669" : "#dc2626", label: r.result === "ok" ? "reset" : `reset ${r.result}` })),
      ...data.boots.map((b) => ({ at: b.at, color: "#7c3aed", label: b.result === "failed" ? "boot failed" : "boot", dash: true })),
      ...data.events
        .filter((e) => ["snapshot-invalid", "snapshot-overflow", "autoextend", "grow", "autoextend-refused"].includes(e.kind))
        .map((e) => ({
          at: e.at,
          color: e.kind.startsWith("snapshot") || e.kind === "autoextend-refused" ? "#b91c1c" : "#d97706",
          label: e.kind === "snapshot-invalid" ? "died" : e.kind === "snapshot-overflow" ? "full" : e.kind === "autoextend-refused" ? "grow refused" : "grew",
          dash: true,
        })),
    ];
    const last = data.points.at(-1);
    const summary = last
      ? `${name}: ${last[1] === null ? "no numbers" : mibFmt(last[1] / MIB)} used of ${last[2] === null ? "?" : mibFmt(last[2] / MIB)} at the last sample; ${data.resets.length} resets and ${data.boots.length} boots in the last ${range}`
      : `${name}: no usage samples in the last ${range}`;
    return { xs, series, markers, summary };
  }, [data, name, range]);

  return (
    <ChartPanel
      label="Usage over time"
      title="Usage over time"
      range={range}
      onRange={setRange}
      box={box}
      loading={(isLoading || points === null) && !data}
      error={error}
      empty={!!data && data.points.length === 0}
      emptyText="No samples in this range yet: they are taken every few seconds while Cowherd runs."
    >
      {chart && data && (
        <TimeChart
          testId="machine-chart"
          xs={chart.xs}
          series={chart.series}
          markers={chart.markers}
          from={data.from}
          to={data.to}
          yLabel="MiB"
          summary={chart.summary}
        />
      )}
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600" aria-label="Chart markers">
        <Key color="bg-emerald-600">reset</Key>
        <Key color="bg-red-600">failed reset, died, grow refused</Key>
        <Key color="bg-violet-600">boot</Key>
        <Key color="bg-amber-600">grew</Key>
      </ul>
    </ChartPanel>
  );
}

export function Key({ color, children }: { color: string; children: React.ReactNode }) {
  return (
    <li className="flex items-center gap-1.5">
      <span aria-hidden className={`inline-block h-3 w-0.5 ${color}`} />
      {children}
    </li>
  );
}
