"use client";

import Link from "next/link";
import type { MachineView } from "@/lib/status/machines-view";
import { fullInText, rateText } from "@/lib/client/units";
import { cn } from "@/components/ui/cn";
import { LocalTime } from "@/components/ui/local-time";
import { CONDITION_STYLE, conditionLabel } from "./levels";
import { failureParts } from "./reset-text";

/** What a card and a list row both show and do for one PC. */
export interface MachineItemProps {
  m: MachineView;
  now: number;
  warnPercent: number;
  dangerPercent: number;
  canReset: boolean;
  /** The server answers: while it does not, nothing can be selected or reset from here. */
  reachable: boolean;
  selected: boolean;
  /** The reset request is on its way to the server. */
  sending: boolean;
  /** The server refused the request (e.g. already resetting). */
  requestError?: string;
  onSelect(checked: boolean): void;
  onReset(): void;
  /** Cancels a "reset at next boot". */
  onCancelPending(): void;
  /** Opens the Grow dialog (admins). */
  onGrow(): void;
}

/** The PC's name, linking to its page (usage over time, events, history). */
export function MachineLink({ m, className }: { m: MachineView; className?: string }) {
  return (
    <Link href={`/machines/${m.id}`} className={cn("hover:underline", className)}>
      {m.name}
    </Link>
  );
}

/**
 * How fast it fills and when it will be full at that rate, in the colour of its projection level
 * (amber: full within the alert limit; red: close, act now; the badge says the same), and what keeps
 * auto-extend from growing it.
 */
export function GrowthLine({ m, compact = false }: { m: Pick<MachineView, "state" | "growth" | "totalSectors">; compact?: boolean }) {
  const g = m.growth;
  if (m.state !== "ok" && g.mibPerMin === null) return compact ? <span className="text-slate-400">—</span> : null;
  const rate = g.mibPerMin === null ? "measuring…" : rateText(g.mibPerMin);
  const full = fullInText(g.fullInMs, g.mibPerMin);
  const grown = m.totalSectors !== null && m.totalSectors > g.cowSizeMiB * 2048;
  return (
    <span
      data-testid="growth"
      data-soon={g.level ?? undefined}
      className={cn(
        "text-xs tabular-nums",
        g.level === "danger" ? "font-semibold text-red-700" : g.level === "warn" ? "font-medium text-amber-800" : "text-slate-600",
      )}
    >
      {rate}
      {full !== "—" && <> · {full === "not filling" ? full : `full ${full}`}</>}
      {!compact && grown && <span className="font-normal text-amber-800"> · grown from {g.cowSizeMiB} MiB</span>}
      {!compact && g.blocked && <span className="block font-medium text-red-700">{g.blocked}</span>}
    </span>
  );
}

export function GrowButton(p: Pick<MachineItemProps, "m" | "sending" | "reachable" | "onGrow"> & { compact?: boolean }) {
  const growable = p.m.state === "ok" && p.m.totalSectors !== null && p.m.totalSectors < p.m.growth.maxCowSizeMiB * 2048;
  return (
    <button
      type="button"
      aria-label={`Grow ${p.m.name}`}
      disabled={isBusy(p) || !p.reachable || !growable}
      title={
        growable ? "Grow its COW now, while it runs" : p.m.state === "ok" ? `At its largest size (${p.m.growth.maxCowSizeMiB} MiB)` : "No live snapshot to grow"
      }
      onClick={p.onGrow}
      className={cn(
        "shrink-0 rounded-md font-medium text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-40",
        p.compact ? "px-2 py-1 text-xs" : "px-2.5 py-1.5 text-sm",
      )}
    >
      Grow
    </button>
  );
}

export function isBusy(p: Pick<MachineItemProps, "m" | "sending">): boolean {
  return p.sending || p.m.reset !== null;
}

export function lastResetFailed(m: MachineView): m is MachineView & { lastReset: NonNullable<MachineView["lastReset"]> } {
  return m.lastReset !== null && m.lastReset.result === "failed";
}

const BOOT_PILL = {
  online: { label: "Online", pill: "bg-sky-50 text-sky-800 ring-sky-200", dot: "bg-sky-500" },
  booting: { label: "Booting", pill: "bg-violet-50 text-violet-800 ring-violet-200", dot: "bg-violet-500 animate-pulse" },
  off: { label: "Offline", pill: "bg-slate-50 text-slate-500 ring-slate-200", dot: "bg-slate-400" },
};

/** Up or not: online (an iSCSI session of this boot is open), booting (it fetched its boot script), off. */
export function OnlinePill({ m }: { m: MachineView }) {
  const state = m.condition === "unreachable" ? "off" : m.boot.state;
  const s = BOOT_PILL[state];
  return (
    <span
      data-testid="boot-state"
      data-boot={state}
      className={cn("inline-flex shrink-0 items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1", s.pill)}
    >
      <span aria-hidden className={cn("size-1.5 rounded-full", s.dot)} />
      {s.label}
    </span>
  );
}

/** How its last boot through Cowherd went: booting since, booted when, or where it failed and why. */
export function BootNote({ m, now }: { m: MachineView; now: number }) {
  const last = m.boot.last;
  if (m.boot.state === "booting")
    return (
      <p className="text-xs text-violet-800" data-testid="boot-note">
        Booting since <LocalTime at={m.boot.since} now={now} relative />
      </p>
    );
  if (!last) return null;
  if (last.result === "failed")
    return (
      <p className="text-xs font-medium text-red-700" data-testid="boot-note">
        Boot failed <LocalTime at={last.endedAt ?? last.startedAt} now={now} relative /> at {last.failedStep ?? "boot"}: {last.error}
      </p>
    );
  return (
    <p className="text-xs text-slate-500" data-testid="boot-note">
      Booted <LocalTime at={last.startedAt} now={now} relative />
      {last.result === "returned" && ", since shut down"}
    </p>
  );
}

/** A reset waiting for the PC's next boot: who asked, when, and a way to call it off. */
export function PendingNote({ m, now, canReset, onCancelPending }: Pick<MachineItemProps, "m" | "now" | "canReset" | "onCancelPending">) {
  const p = m.pendingReset;
  if (!p) return null;
  return (
    <div
      data-testid="pending-reset"
      className="flex flex-wrap items-center gap-x-2 gap-y-1 rounded-md bg-violet-50 px-2 py-1.5 text-xs text-violet-900 ring-1 ring-violet-200"
    >
      <span className="min-w-0 flex-1">
        <strong>Resets at its next boot</strong> (asked {p.requestedBy ? `by ${p.requestedBy} ` : ""}
        <LocalTime at={p.requestedAt} now={now} relative />)
        {p.lastError && <span className="block text-red-700">At its last boot that reset failed: {p.lastError}</span>}
      </span>
      {canReset && (
        <button
          type="button"
          onClick={onCancelPending}
          className="rounded px-1.5 py-0.5 font-medium ring-1 ring-violet-300 hover:bg-white"
          aria-label={`Cancel the reset at next boot of ${m.name}`}
        >
          Cancel
        </button>
      )}
    </div>
  );
}

/** The master image version: the update PC's draft, or an older version it leaves at its next reset. */
export function ImageNote({ m }: { m: MachineView }) {
  const { version, current, update } = m.image;
  if (update) {
    return (
      <p data-testid="update-pc" className="rounded-md bg-amber-50 px-2 py-1.5 text-xs text-amber-950 ring-1 ring-amber-300">
        <strong>Update PC</strong> ·{" "}
        {update.state === "copying" ? (
          <>the draft of v{update.n} is being copied; then it boots it</>
        ) : (
          <>
            boots the draft of v{update.n} read-write. Install, shut it down, then publish on the{" "}
            <a className="underline" href="/images">
              Images
            </a>{" "}
            page.
          </>
        )}
      </p>
    );
  }
  if (version === null || current === null || version === current) return null;
  return (
    <p data-testid="older-version" className="rounded-md bg-sky-50 px-2 py-1.5 text-xs text-sky-950 ring-1 ring-sky-200">
      On <strong>v{version}</strong> — moves to v{current} at its next reset
    </p>
  );
}

/** The game disk's version: its game draft (update PC of the game disk), or an older version it leaves at its next reset. */
export function GameImageNote({ m }: { m: MachineView }) {
  if (!m.game) return null;
  const { version, current, update } = m.game.image;
  if (update)
    return (
      <p data-testid="game-update-pc" className="rounded-md bg-amber-50 px-2 py-1.5 text-xs text-amber-950 ring-1 ring-amber-300">
        <strong>Game disk update PC</strong> ·{" "}
        {update.state === "copying" ? (
          <>the game draft v{update.n} is being copied</>
        ) : (
          <>
            boots its own system disk with the game draft v{update.n} read-write. Install the games, shut it down, then publish on the{" "}
            <a className="underline" href="/images">
              Images
            </a>{" "}
            page.
          </>
        )}
      </p>
    );
  if (version === null || current === null || version === current) return null;
  return (
    <p data-testid="game-older-version" className="rounded-md bg-sky-50 px-2 py-1.5 text-xs text-sky-950 ring-1 ring-sky-200">
      Game disk on <strong>v{version}</strong> — moves to v{current} at its next reset
    </p>
  );
}

/** Its condition, or, while its usage level says less, its projection (so badge and growth line agree). */
export function StateBadge({ m, warnPercent, dangerPercent }: Pick<MachineItemProps, "m" | "warnPercent" | "dangerPercent">) {
  const projected = badgeProjection(m);
  return (
    <span
      data-testid="state"
      data-projection={projected ?? undefined}
      className={cn(
        "inline-block whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-semibold ring-1",
        projected ? PROJECTION_BADGE[projected] : CONDITION_STYLE[m.condition].badge,
      )}
    >
      {projected
        ? m.growth.fullInMs === 0
          ? "Full now"
          : `Full ${fullInText(m.growth.fullInMs, m.growth.mibPerMin)}`
        : conditionLabel(m, warnPercent, dangerPercent)}
    </span>
  );
}

const PROJECTION_BADGE = { warn: CONDITION_STYLE.warn.badge, danger: CONDITION_STYLE.danger.badge };

/** The projection the badge shows instead of a usage level that says less ("OK" beside "full in 8 min" would not agree). */
export function badgeProjection(m: Pick<MachineView, "condition" | "growth">): "warn" | "danger" | null {
  const rank = { normal: 0, warn: 1, danger: 2 } as const;
  const l = m.growth.level;
  if (!l || !(m.condition in rank)) return null;
  return rank[l] > rank[m.condition as keyof typeof rank] ? l : null;
}

export function SelectBox({ m, selected, reachable, onSelect }: Pick<MachineItemProps, "m" | "selected" | "reachable" | "onSelect">) {
  return (
    <input
      type="checkbox"
      aria-label={`Select ${m.name}`}
      checked={selected}
      disabled={!reachable}
      onChange={(e) => onSelect(e.target.checked)}
      className="size-4 shrink-0 accent-sky-600 disabled:cursor-not-allowed"
    />
  );
}

export function ResetButton(p: Pick<MachineItemProps, "m" | "sending" | "reachable" | "onReset"> & { compact?: boolean }) {
  return (
    <button
      type="button"
      aria-label={`Reset ${p.m.name}`}
      disabled={isBusy(p) || !p.reachable}
      title={p.reachable ? undefined : "The server does not answer: nothing can be reset until it does"}
      onClick={p.onReset}
      className={cn(
        "shrink-0 rounded-md bg-slate-900 font-medium text-white hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-50",
        p.compact ? "px-2.5 py-1 text-xs" : "px-3 py-1.5 text-sm",
      )}
    >
      Reset
    </button>
  );
}

/**
 * The reset line: queued, running (with its step), a refused request, or when the PC was last reset
 * successfully and how long that took. A failed last reset is FailureNote's (it needs the room).
 */
export function ResetStatus({ m, now, sending, requestError }: Pick<MachineItemProps, "m" | "now" | "sending" | "requestError">) {
  const last = m.lastReset;
  if (m.reset?.state === "running")
    return (
      <span className="text-sky-700" data-reset="running">
        <span aria-hidden className="mr-1 inline-block size-2 animate-pulse rounded-full bg-sky-500" />
        Resetting… {m.reset.step ?? "starting"}
      </span>
    );
  // Waiting for its group's turn (or for the server to take the request): not resetting yet.
  if (sending || m.reset)
    return (
      <span className="text-slate-600" data-reset="queued">
        <span aria-hidden className="mr-1 inline-block size-2 rounded-full border border-slate-400" />
        Queued for reset
      </span>
    );
  if (requestError) return <span className="font-medium text-red-700">{requestError}</span>;
  return (
    <span className="text-slate-500">
      {lastResetFailed(m) ? "Last good reset " : "Last reset "}
      <LocalTime at={m.lastResetAt} now={now} relative />
      {last?.result === "ok" && last.endedAt !== null && ` (${((last.endedAt - last.at) / 1000).toFixed(1)} s)`}
    </span>
  );
}

/** A last reset that failed: when, at which step and why, where the PC ended and what to do. */
export function FailureNote({ m, now, className }: { m: MachineView; now: number; className?: string }) {
  if (!lastResetFailed(m) || m.reset) return null;
  const { what, where } = failureParts(m.lastReset);
  return (
    <div data-testid="failure" className={cn("text-xs", className)}>
      <p className="font-medium text-red-700">
        Reset <LocalTime at={m.lastReset.at} now={now} relative /> {what}
      </p>
      <p className="text-slate-700">{where.charAt(0).toUpperCase() + where.slice(1)}.</p>
    </div>
  );
}

/** What the "Kept" badge means, with who kept it and why: its title, and the confirm dialog's words. */
export function keptMeaning(m: Pick<MachineView, "name" | "kept">): string {
  const k = m.kept;
  if (!k) return "";
  return `${m.name} is kept: bulk resets, "Reset all before the event", scheduled resets and resets at next boot leave it alone, so its changes survive its reboots. A reset of this PC alone asks for a confirmation.${keptBy(k)}`;
}

/** " Kept by admin: driver installer." (who and why, as far as known). */
export function keptBy(k: NonNullable<MachineView["kept"]>): string {
  if (!k.keptBy && !k.reason) return "";
  return ` Kept${k.keptBy ? ` by ${k.keptBy}` : ""}${k.reason ? `: ${k.reason.replace(/[.\s]+$/, "")}` : ""}.`;
}

/** The "keep" mark on a card or list row: small, with what it means in its title. */
export function KeptBadge({ m }: { m: Pick<MachineView, "name" | "kept"> }) {
  if (!m.kept) return null;
  return (
    <span
      data-testid="kept"
      title={keptMeaning(m)}
      className="inline-flex shrink-0 items-center rounded-full bg-teal-50 px-2 py-0.5 text-xs font-medium text-teal-900 ring-1 ring-teal-300"
    >
      Kept
    </span>
  );
}
