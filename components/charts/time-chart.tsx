"use client";

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  /** Values, one per x (null: no value there, drawn as a gap). */
  values: (number | null)[];
  color: string;
  fill?: string;
  /** A step line (sizes change in jumps) rather than a slope. */
  step?: boolean;
  dash?: number[];
  /** Formats a value for the legend. */
  format(v: number): string;
  /** Which y scale: "y" (left) or "y2" (right, e.g. a count). */
  scale?: "y" | "y2";
}

/** A vertical line at a moment (a reset, a boot), labelled at its top. */
export interface ChartMarker {
  at: number;
  color: string;
  label: string;
  dash?: boolean;
}

const seconds = (ms: number) => ms / 1000;
const pad = (n: number) => String(n).padStart(2, "0");
/** Axis times in the browser's zone, 24-hour like the events' messages: "21:14", or "11-26 21:00" over days. */
function tickLabel(s: number, days: boolean): string {
  const d = new Date(s * 1000);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return days ? `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}` : hm;
}

/**
 * A time chart drawn by uPlot (canvas; its inline sizes are set through the CSSOM, which the CSP
 * allows): aligned series over the same times, markers drawn in uPlot's draw hook, resized with its
 * container. The figure carries a text summary for screen readers.
 */
export function TimeChart({
  xs,
  series,
  markers = [],
  height = 260,
  from,
  to,
  yLabel,
  y2Label,
  summary,
  testId,
}: {
  xs: number[];
  series: ChartSeries[];
  markers?: ChartMarker[];
  height?: number;
  from: number;
  to: number;
  yLabel: string;
  y2Label?: string;
  summary: string;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const markersRef = useRef(markers);
  markersRef.current = markers;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(280, el.clientWidth);
    const hasY2 = series.some((s) => s.scale === "y2");
    const opts: uPlot.Options = {
      width,
      height,
      // The range asked for, or from the first sample when there is nothing before it (a new install).
      scales: {
        x: { time: true, range: [seconds(Math.max(from, Math.min(xs[0] ?? from, to - 10 * 60_000))), seconds(to)] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.08)] },
        ...(hasY2 ? { y2: { range: (_u, _min, max) => [0, Math.max(1, max * 1.2)] } } : {}),
      },
      series: [
        { label: "Time", value: (_u: uPlot, v: number | null) => (v == null ? "–" : tickLabel(v, true)) },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          fill: s.fill,
          width: 2,
          dash: s.dash,
          scale: s.scale ?? "y",
          spanGaps: false,
          paths: s.step ? uPlot.paths.stepped!({ align: 1 }) : undefined,
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? "–" : s.format(v)),
        })),
      ],
      axes: [
        {
          stroke: "#475569",
          space: 70,
          grid: { stroke: "#e2e8f0" },
          ticks: { stroke: "#cbd5e1" },
          values: (_u, splits) => splits.map((s) => tickLabel(s, to - from > 36 * 3_600_000)),
        },
        { stroke: "#475569", label: yLabel, size: 56, grid: { stroke: "#e2e8f0" }, ticks: { stroke: "#cbd5e1" } },
        ...(hasY2 ? [{ side: 1 as const, scale: "y2", stroke: "#475569", label: y2Label, size: 44, grid: { show: false } }] : []),
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            const { top, height: h, left, width: w } = u.bbox;
            ctx.save();
            ctx.font = `${10 * devicePixelRatio}px ui-sans-serif, system-ui, sans-serif`;
            ctx.textBaseline = "top";
            // Labels of markers close together go on rows below each other instead of on top of each other.
            let lastX = -Infinity;
            let row = 0;
            for (const m of [...markersRef.current].sort((a, b) => a.at - b.at)) {
              const x = Math.round(u.valToPos(seconds(m.at), "x", true));
              if (x < left || x > left + w) continue;
              row = x - lastX < 60 * devicePixelRatio ? (row + 1) % 4 : 0;
              lastX = x;
              ctx.strokeStyle = m.color;
              ctx.fillStyle = m.color;
              ctx.lineWidth = 1.5 * devicePixelRatio;
              ctx.setLineDash(m.dash ? [4 * devicePixelRatio, 3 * devicePixelRatio] : []);
              ctx.beginPath();
              ctx.moveTo(x, top);
              ctx.lineTo(x, top + h);
              ctx.stroke();
              ctx.fillText(m.label, Math.min(x + 3 * devicePixelRatio, left + w - ctx.measureText(m.label).width), top + (2 + row * 12) * devicePixelRatio);
            }
            ctx.restore();
          },
        ],
      },
    };
    const data: uPlot.AlignedData = [xs.map(seconds), ...series.map((s) => s.values)];
    plot.current = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(280, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // A new chart when the data or its shape changes; markers are read at each draw.
  }, [xs, series, height, from, to, yLabel, y2Label]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the draw hook reads the markers through a ref; a change of markers is what asks for the redraw
  useEffect(() => {
    plot.current?.redraw(false);
  }, [markers]);

  return (
    <figure className="min-w-0" data-testid={testId}>
      <div ref={box} className="w-full overflow-hidden" role="img" aria-label={summary} />
      <figcaption className="sr-only">{summary}</figcaption>
    </figure>
  );
}
