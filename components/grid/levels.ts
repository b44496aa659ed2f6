import type { Level } from "@/lib/status/machines-view";

/** Full class names in one map (never assembled at run time, so Tailwind sees them all). */
export const LEVEL_STYLE: Record<Level, { label: string; bar: string; badge: string; card: string }> = {
  normal: { label: "OK", bar: "bg-emerald-500", badge: "bg-emerald-50 text-emerald-800 ring-emerald-200", card: "ring-slate-200" },
  warn: { label: "≥ 75 %", bar: "bg-amber-500", badge: "bg-amber-50 text-amber-900 ring-amber-300", card: "ring-amber-300" },
  danger: { label: "Almost full", bar: "bg-red-600", badge: "bg-red-50 text-red-800 ring-red-300", card: "ring-red-400" },
  invalid: { label: "Invalid", bar: "bg-red-700 bar-stripes", badge: "bg-red-700 text-white ring-red-700", card: "ring-2 ring-red-600" },
  overflow: { label: "Overflow", bar: "bg-fuchsia-700 bar-stripes", badge: "bg-fuchsia-700 text-white ring-fuchsia-700", card: "ring-2 ring-fuchsia-600" },
  missing: { label: "Missing", bar: "bg-slate-300", badge: "bg-slate-200 text-slate-700 ring-slate-300", card: "ring-slate-300 border-dashed" },
  unknown: { label: "Unknown", bar: "bg-slate-400", badge: "bg-slate-200 text-slate-700 ring-slate-300", card: "ring-slate-300" },
};

export const LEVEL_HELP: Record<Level, string> = {
  normal: "",
  warn: "COW past the warning level",
  danger: "COW nearly full: reset soon",
  invalid: "Snapshot dead: the PC will blue-screen until reset",
  overflow: "COW full: writes are failing",
  missing: "Device not set up on the storage host",
  unknown: "The kernel reports no usage numbers",
};
