"use client";

import Link from "next/link";
import useSWR from "swr";
import type { MachinesView } from "@/lib/status/machines-view";
import { fetcher } from "@/lib/client/fetcher";
import { fullInText, rateText } from "@/lib/client/units";
import { mib } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";
import { Cell, Head, stack } from "@/components/ui/stack-table";
import { arrange } from "@/components/grid/arrange";

const MiB = 1024 * 1024;

/** The PCs that will be full first at their current rate, and each storage host's COW store space. */
export function FillsFirst({ initial }: { initial: MachinesView }) {
  const { data } = useSWR<MachinesView>("/api/machines", fetcher, { refreshInterval: 5000, fallbackData: initial, keepPreviousData: true });
  const view = data ?? initial;
  const top = arrange(view.machines, { filter: "all", sort: "full", query: "" }, view.projectedFullMinutes)
    .filter((m) => m.growth.fullInMs !== null || m.condition === "invalid" || m.condition === "overflow")
    .slice(0, 10);
  const filling = view.machines.filter((m) => (m.growth.mibPerMin ?? 0) > 0);
  const total = filling.reduce((n, m) => n + (m.growth.mibPerMin ?? 0), 0);
  return (
    <div className="grid gap-4 lg:grid-cols-[2fr_1fr]">
      <section aria-label="Full first" className="space-y-2">
        <h2 className="text-base font-semibold">
          Full first{" "}
          <span className="text-sm font-normal text-slate-500">
            · {filling.length} PCs filling, {rateText(total)} together
          </span>
        </h2>
        {top.length === 0 ? (
          <p className="rounded-xl bg-white p-6 text-center text-sm text-slate-500 ring-1 ring-slate-200">No PC is filling up right now.</p>
        ) : (
          <div className={stack.wrap}>
            <table className={stack.table}>
              <Head columns={["PC", "Used", "Fill rate", "Full"]} right={["Used", "Fill rate"]} />
              <tbody className={stack.tbody}>
                {top.map((m) => {
                  const soon = m.growth.fullInMs !== null && m.growth.fullInMs <= view.projectedFullMinutes * 60_000;
                  return (
                    <tr key={m.id} className={stack.tr}>
                      <Cell label="PC" className="font-mono font-semibold">
                        <Link href={`/machines/${m.id}`} className="hover:underline">
                          {m.name}
                        </Link>
                      </Cell>
                      <Cell label="Used" className="text-right tabular-nums">
                        {m.percent !== null ? `${m.percent.toFixed(1)} % of ${mib(m.totalSectors)} MiB` : m.condition}
                      </Cell>
                      <Cell label="Fill rate" className="text-right tabular-nums">
                        {m.growth.mibPerMin === null ? "—" : rateText(m.growth.mibPerMin)}
                      </Cell>
                      <Cell
                        label="Full"
                        className={cn("tabular-nums", soon || m.condition === "invalid" || m.condition === "overflow" ? "font-semibold text-red-700" : "")}
                      >
                        {m.condition === "invalid" || m.condition === "overflow" ? "full (dead)" : fullInText(m.growth.fullInMs, m.growth.mibPerMin)}
                      </Cell>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-label="COW stores" className="space-y-2">
        <h2 className="text-base font-semibold">COW stores</h2>
        {view.hosts.map((h) =>
          h.stores.map((s) => {
            const usable = Math.max(0, s.freeBytes - s.reserveBytes);
            const usedPct = s.sizeBytes ? ((s.sizeBytes - s.freeBytes) / s.sizeBytes) * 100 : 0;
            return (
              <div key={`${h.name}:${s.dir}`} className="rounded-xl bg-white p-3 text-sm shadow-sm ring-1 ring-slate-200" data-testid="store">
                <p className="font-medium">
                  {h.name} <span className="font-mono text-xs text-slate-500">{s.dir}</span>
                </p>
                <div className="mt-1 h-2 overflow-hidden rounded-full bg-slate-200">
                  <div className={cn("h-full", usable === 0 ? "bg-red-600" : "bg-slate-600")} style={{ width: `${Math.min(100, usedPct)}%` }} />
                </div>
                <p className="mt-1 tabular-nums text-slate-600">
                  {(s.freeBytes / 1024 / MiB).toFixed(1)} GiB free of {(s.sizeBytes / 1024 / MiB).toFixed(1)} GiB · {(s.reserveBytes / MiB).toFixed(0)} MiB
                  reserve · <span className={usable === 0 ? "font-semibold text-red-700" : ""}>{(usable / 1024 / MiB).toFixed(1)} GiB to grow into</span>
                </p>
              </div>
            );
          }),
        )}
      </section>
    </div>
  );
}
