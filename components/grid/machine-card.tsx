"use client";

import type { MachineView } from "@/lib/status/machines-view";
import { cn } from "@/components/ui/cn";
import { ago, mib } from "@/components/ui/format";
import { LEVEL_HELP, LEVEL_STYLE } from "./levels";
import { UsageBar } from "./usage-bar";
import { describeFailure } from "./reset-text";

interface Props {
  m: MachineView;
  now: number;
  warnPercent: number;
  dangerPercent: number;
  canReset: boolean;
  /** The server answers: while it does not, nothing can be reset from here. */
  reachable: boolean;
  selected: boolean;
  /** The reset request is on its way to the server. */
  sending: boolean;
  /** The server refused the request (e.g. already resetting). */
  requestError?: string;
  onSelect(checked: boolean): void;
  onReset(): void;
}

export function MachineCard({ m, now, warnPercent, dangerPercent, canReset, reachable, selected, sending, requestError, onSelect, onReset }: Props) {
  const style = LEVEL_STYLE[m.level];
  const label = m.level === "warn" ? `≥ ${warnPercent} %` : m.level === "danger" ? `≥ ${dangerPercent} %` : style.label;
  const busy = sending || m.reset !== null;
  const last = m.lastReset;
  const lastFailed = last !== null && last.result === "failed";
  return (
    <article
      aria-label={m.name}
      data-level={m.level}
      className={cn("flex flex-col gap-3 rounded-xl bg-white p-4 shadow-sm ring-1", style.card, selected && "outline-2 outline-sky-500")}
    >
      <div className="flex items-start gap-2">
        {canReset && (
          <input
            type="checkbox"
            aria-label={`Select ${m.name}`}
            checked={selected}
            onChange={(e) => onSelect(e.target.checked)}
            className="mt-1 size-4 accent-sky-600"
          />
        )}
        <div className="min-w-0 flex-1">
          <h2 className="font-mono text-base font-semibold leading-tight">{m.name}</h2>
          <p className="truncate font-mono text-xs text-slate-500">
            {m.ip} · {m.dmName}
          </p>
        </div>
        <span
          className={cn(
            "inline-flex shrink-0 items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1",
            m.online ? "bg-sky-50 text-sky-800 ring-sky-200" : "bg-slate-50 text-slate-500 ring-slate-200",
          )}
        >
          <span aria-hidden className={cn("size-1.5 rounded-full", m.online ? "bg-sky-500" : "bg-slate-400")} />
          {m.online ? "Online" : "Offline"}
        </span>
      </div>

      <UsageBar m={m} warnPercent={warnPercent} dangerPercent={dangerPercent} />

      <div className="flex min-h-6 items-center gap-2 text-xs">
        <span className={cn("rounded px-1.5 py-0.5 font-semibold ring-1", style.badge)} data-testid="state">
          {label}
        </span>
        <span className="truncate text-slate-500" title={LEVEL_HELP[m.level]}>
          {LEVEL_HELP[m.level] ||
            (m.totalSectors !== null && m.usedSectors !== null ? `${mib(m.totalSectors - m.usedSectors)} MiB free` : "")}
        </span>
      </div>

      <div className="mt-auto flex items-center gap-2 border-t border-slate-100 pt-3">
        <p role="status" aria-live="polite" className="min-w-0 flex-1 truncate text-xs" title={lastFailed && !busy ? `Last reset ${describeFailure(last)}` : requestError}>
          {busy ? (
            <span className="text-sky-700">
              <span aria-hidden className="mr-1 inline-block size-2 animate-pulse rounded-full bg-sky-500" />
              {m.reset?.state === "running" ? `Resetting… ${m.reset.step ?? "starting"}` : "Queued for reset"}
            </span>
          ) : requestError ? (
            <span className="font-medium text-red-700">{requestError}</span>
          ) : lastFailed ? (
            <span className="font-medium text-red-700">Last reset {describeFailure(last)}</span>
          ) : m.suspended ? (
            <span className="font-medium text-red-700">Device suspended</span>
          ) : !m.exported && m.state !== "missing" ? (
            <span className="font-medium text-red-700">LUN not exported</span>
          ) : (
            <span className="text-slate-500">
              Last reset {ago(m.lastResetAt, now)}
              {last?.result === "ok" && last.endedAt !== null && ` (${((last.endedAt - last.at) / 1000).toFixed(1)} s)`}
            </span>
          )}
        </p>
        {canReset && (
          <button
            type="button"
            aria-label={`Reset ${m.name}`}
            disabled={busy || !reachable}
            onClick={onReset}
            className="shrink-0 rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-50"
          >
            Reset
          </button>
        )}
      </div>
    </article>
  );
}
