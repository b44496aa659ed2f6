"use client";

import { useEffect, useRef, useState } from "react";
import { chartPoints } from "@/lib/client/chart-points";

/**
 * The points a chart asks the API for: the width its box is drawn at (see chartPoints), measured
 * before the first request and again when the box is resized. null until measured: ask nothing yet.
 */
export function useChartPoints<T extends HTMLElement>() {
  const box = useRef<T>(null);
  const [points, setPoints] = useState<number | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setPoints(chartPoints(el.clientWidth));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return { box, points };
}
