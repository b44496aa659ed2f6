"use client";

import { useMemo, useState } from "react";
import useSWR from "swr";
import { fetcher } from "@/lib/client/fetcher";
import type { RoomChart } from "@/lib/usage/charts";
import type { RangeName } from "@/lib/validations/api";
import { TimeChart, type ChartSeries } from "@/components/charts/time-chart";
import { useChartPoints } from "@/components/charts/use-chart-points";
import { ChartPanel } from "./chart-panel";

const GIB = 2048 * 1024;
const gib = (v: number) => `${v.toFixed(2)} GiB`;

/** The whole room: COW space used by every PC together, their COWs' total size, and PCs online (the stores' space is beside it). */
export function RoomUsageChart() {
  const [range, setRange] = useState<RangeName>("6h");
  const { box, points } = useChartPoints<HTMLDivElement>();
  const { data, error, isLoading } = useSWR<RoomChart & { range: RangeName }>(points === null ? null : `/api/usage?range=${range}&points=${points}`, fetcher, {
    refreshInterval: 10_000,
    keepPreviousData: true,
  });
  const chart = useMemo(() => {
    if (!data) return null;
    const series: ChartSeries[] = [
      { label: "Used by all PCs", values: data.points.map((p) => p[1] / GIB), color: "#0284c7", fill: "rgba(2,132,199,0.12)", format: gib },
      { label: "All COWs' size", values: data.points.map((p) => p[2] / GIB), color: "#475569", step: true, dash: [6, 4], format: gib },
      { label: "PCs online", values: data.points.map((p) => p[3]), color: "#7c3aed", step: true, scale: "y2", format: (v) => String(Math.round(v)) },
    ];
    const last = data.points.at(-1);
    const summary = last ? `The room uses ${gib(last[1] / GIB)} of ${gib(last[2] / GIB)} of COW space; ${last[3]} PCs online` : "No room samples yet";
    return { xs: data.points.map((p) => p[0]), series, summary };
  }, [data]);
  return (
    <ChartPanel
      label="Room usage over time"
      title="Total COW usage"
      range={range}
      onRange={setRange}
      box={box}
      loading={(isLoading || points === null) && !data}
      error={error}
      empty={!!data && data.points.length === 0}
      emptyText="No samples in this range yet: the room is sampled every few seconds while Cowherd runs."
    >
      {chart && data && (
        <TimeChart testId="room-chart" xs={chart.xs} series={chart.series} from={data.from} to={data.to} yLabel="GiB" y2Label="PCs" summary={chart.summary} />
      )}
    </ChartPanel>
  );
}
