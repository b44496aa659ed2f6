import type { Condition, MachineView } from "@/lib/status/machines-view";

interface ConditionStyle {
  /** The badge text (warn/danger name their configured percent instead: see conditionLabel). */
  label: string;
  /** How the summary bar counts it ("3 suspended"). */
  count: string;
  bar: string;
  badge: string;
  card: string;
  /** What it means, and for a broken PC what to do about it. */
  help: string;
}

/** Full class names in one map (never assembled at run time, so Tailwind sees them all). */
export const CONDITION_STYLE: Record<Condition, ConditionStyle> = {
  normal: { label: "OK", count: "OK", bar: "bg-emerald-500", badge: "bg-emerald-50 text-emerald-800 ring-emerald-200", card: "ring-slate-200", help: "" },
  warn: {
    label: "≥ 75 %",
    count: "past the warning level",
    bar: "bg-amber-500",
    badge: "bg-amber-50 text-amber-900 ring-amber-300",
    card: "ring-amber-300",
    help: "COW past the warning level",
  },
  danger: {
    label: "Almost full",
    count: "almost full",
    bar: "bg-red-600",
    badge: "bg-red-50 text-red-800 ring-red-300",
    card: "ring-red-400",
    help: "COW nearly full: reset soon",
  },
  invalid: {
    label: "Invalid",
    count: "Invalid",
    bar: "bg-red-700 bar-stripes",
    badge: "bg-red-700 text-white ring-red-700",
    card: "ring-2 ring-red-600",
    help: "Snapshot dead: the PC will blue-screen until reset",
  },
  overflow: {
    label: "Overflow",
    count: "Overflow",
    bar: "bg-fuchsia-700 bar-stripes",
    badge: "bg-fuchsia-700 text-white ring-fuchsia-700",
    card: "ring-2 ring-fuchsia-600",
    help: "COW full: writes are failing. Reset it",
  },
  suspended: {
    label: "Suspended",
    count: "suspended",
    bar: "bg-orange-600 bar-stripes",
    badge: "bg-orange-700 text-white ring-orange-700",
    card: "ring-2 ring-orange-500",
    help: "Disk I/O hangs: reset it (or run 'cowherd-helper repair' on its host)",
  },
  unexported: {
    label: "LUN not exported",
    count: "LUN not exported",
    bar: "bg-violet-600 bar-stripes",
    badge: "bg-violet-700 text-white ring-violet-700",
    card: "ring-2 ring-violet-500",
    help: "The PC cannot see its disk: run 'cowherd-helper up <id>' on its host",
  },
  "no-snapshot": {
    label: "No snapshot",
    count: "no snapshot live",
    bar: "bg-rose-800 bar-stripes",
    badge: "bg-rose-800 text-white ring-rose-800",
    card: "ring-2 ring-rose-600",
    help: "No live snapshot on the device: reset it (or run 'cowherd-helper repair' on its host)",
  },
  "storage-fault": {
    label: "Storage fault",
    count: "storage fault",
    bar: "bg-amber-700 bar-stripes",
    badge: "bg-amber-800 text-white ring-amber-800",
    card: "ring-2 ring-amber-600",
    help: "Its storage host reports a fault: see 'cowherd-helper status' on that host",
  },
  unreachable: {
    label: "Host unreachable",
    count: "host unreachable",
    bar: "bg-slate-400",
    badge: "bg-slate-700 text-white ring-slate-700",
    card: "ring-2 ring-slate-500 border-dashed",
    help: "Its storage host does not answer: last known numbers, state unknown",
  },
  missing: {
    label: "Missing",
    count: "missing",
    bar: "bg-slate-300",
    badge: "bg-slate-200 text-slate-700 ring-slate-300",
    card: "ring-slate-300 border-dashed",
    help: "Not set up: run 'cowherd-helper up <id>' on its host",
  },
  unknown: {
    label: "Unknown",
    count: "unknown",
    bar: "bg-slate-400",
    badge: "bg-slate-200 text-slate-700 ring-slate-300",
    card: "ring-slate-300",
    help: "No usage numbers from its storage host (yet)",
  },
};

/** Conditions that need someone to act (their help says what to do); the rest are usage levels. */
export function isProblem(c: Condition): boolean {
  return c !== "normal" && c !== "warn" && c !== "danger";
}

/** The summary bar's problem counts, in this order, each shown while any PC has it. */
export const PROBLEMS: Condition[] = ["unreachable", "suspended", "unexported", "no-snapshot", "storage-fault", "missing", "unknown"];

/** The badge of a PC whose game disk is the reason for its condition: which disk, in words. */
const GAME_LABEL: Partial<Record<Condition, string>> = {
  danger: "Game disk almost full",
  overflow: "Game disk full",
  invalid: "Game disk Invalid",
  missing: "Game disk missing",
  suspended: "Game disk suspended",
  unexported: "Game disk not exported",
  "no-snapshot": "Game disk: no snapshot",
  "storage-fault": "Game disk fault",
};

export function conditionLabel(
  m: Pick<MachineView, "condition"> & Partial<Pick<MachineView, "conditionDisk">>,
  warnPercent: number,
  dangerPercent: number,
): string {
  if (m.conditionDisk === "game") {
    if (m.condition === "warn") return `Game disk ≥ ${warnPercent} %`;
    return GAME_LABEL[m.condition] ?? `Game disk: ${CONDITION_STYLE[m.condition].label}`;
  }
  if (m.condition === "warn") return `≥ ${warnPercent} %`;
  if (m.condition === "danger") return `≥ ${dangerPercent} %`;
  return CONDITION_STYLE[m.condition].label;
}

/**
 * What the badge means and what to do: the host's own words when it names a fault (they say what
 * to run), else the condition's help with the PC's id filled in, so the command can be copied as it is.
 */
export function conditionHelp(
  m: Pick<MachineView, "condition" | "id" | "problem" | "problemIsHost" | "host"> & Partial<Pick<MachineView, "conditionDisk" | "game">>,
): string {
  // Its game disk is the reason: that disk's own words (the helper's, else the condition's help).
  if (m.conditionDisk === "game" && m.game && m.condition !== "unreachable") {
    const own = m.game.problem ?? CONDITION_STYLE[m.condition].help.replace("COW", "game disk COW").replace("<id>", String(m.id));
    return `Game disk: ${own}`;
  }
  if (m.problem && m.problemIsHost && m.condition !== "unreachable")
    return `The same fault as every PC of storage host ${m.host}: see the message above the grid.`;
  if (m.problem && m.condition !== "unreachable") return m.problem;
  return CONDITION_STYLE[m.condition].help.replace("<id>", String(m.id));
}
