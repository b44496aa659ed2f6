"use client";

import type { MachineView } from "@/lib/status/machines-view";
import { fullInText, rateText } from "@/lib/client/units";
import { mib } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";
import { CONDITION_STYLE, conditionLabel } from "@/components/grid/levels";
import { UsageBar } from "@/components/grid/usage-bar";
import { GrowthLine } from "@/components/grid/machine-parts";

/**
 * A PC's game disk on its page: usage, the version it sits on and the group's current one, how fast
 * it fills and when it is full at that rate, and Grow for its COW (admins).
 */
export function GameDiskSection({
  m,
  canGrow,
  busy,
  reachable,
  onGrow,
}: {
  m: MachineView;
  canGrow: boolean;
  busy: boolean;
  reachable: boolean;
  onGrow(): void;
}) {
  const g = m.game;
  if (!g) return null;
  const growable = g.state === "ok" && g.totalSectors !== null && g.totalSectors < g.growth.maxCowSizeMiB * 2048;
  const { version, current, update } = g.image;
  const rows: [string, string][] = [
    ["State", conditionLabel({ condition: g.condition }, m.warnPercent, m.dangerPercent)],
    ["Used", `${mib(g.usedSectors)} of ${mib(g.totalSectors)} MiB${g.percent !== null ? ` (${g.percent.toFixed(1)} %)` : ""}`],
    [
      "Version",
      version === null ? "–" : `v${version}${current !== null ? (version === current ? " (current)" : `, moves to v${current} at its next reset`) : ""}`,
    ],
    ["Fill rate", g.growth.mibPerMin === null ? (g.state === "ok" ? "measuring…" : "–") : rateText(g.growth.mibPerMin)],
    ["Full", fullInText(g.growth.fullInMs, g.growth.mibPerMin)],
    ["COW size", `${g.growth.cowSizeMiB} MiB at reset, grows up to ${g.growth.maxCowSizeMiB} MiB`],
  ];
  return (
    <section
      aria-label="Game disk"
      data-condition={g.condition}
      className={cn("rounded-xl bg-white p-4 text-sm shadow-sm ring-1", CONDITION_STYLE[g.condition].card)}
    >
      <div className="mb-2 flex items-center gap-2">
        <h2 className="min-w-0 flex-1 text-base font-semibold">Game disk</h2>
        {canGrow && (
          <button
            type="button"
            aria-label={`Grow the game disk of ${m.name}`}
            disabled={busy || !reachable || !growable}
            title={
              growable
                ? "Grow its game disk's COW now, while it runs"
                : g.state === "ok"
                  ? `At its largest size (${g.growth.maxCowSizeMiB} MiB)`
                  : "No live snapshot to grow"
            }
            onClick={onGrow}
            className="shrink-0 rounded-md px-2.5 py-1.5 text-sm font-medium text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-40"
          >
            Grow game disk
          </button>
        )}
      </div>
      <UsageBar m={m} warnPercent={m.warnPercent} dangerPercent={m.dangerPercent} disk="game" />
      <div className="mt-1">
        <GrowthLine m={g} />
      </div>
      <dl className="mt-2 grid grid-cols-[6.5rem_minmax(0,1fr)] gap-x-3 gap-y-1">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500">{k}</dt>
            <dd className="min-w-0 break-words tabular-nums" data-testid={`game-${k.toLowerCase().replace(" ", "-")}`}>
              {v}
            </dd>
          </div>
        ))}
      </dl>
      {g.problem && <p className="mt-2 text-xs text-red-800">{g.problem}</p>}
      {update && (
        <p className="mt-2 rounded-md bg-amber-50 px-2 py-1.5 text-xs text-amber-950 ring-1 ring-amber-300">
          <strong>Game disk update PC</strong>:{" "}
          {update.state === "copying" ? `the game draft v${update.n} is being copied` : `boots the game draft v${update.n}`}
        </p>
      )}
    </section>
  );
}
