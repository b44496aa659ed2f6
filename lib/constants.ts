/**
 * The app's vocabulary and limits, defined once and used by SQL (tests compare the CHECK lists),
 * zod schemas, the UI, the CLI and the helper. Pure constants: safe for client components too.
 */

/** Who asked for a reset. `boot`: the PC itself while booting; `legacy`: the gPXE self-reset route; `schedule`: a scheduled reset (lib/schedule/). */
export const RESET_SOURCES = ["dashboard", "bulk", "boot", "cli", "legacy", "schedule"] as const;
export type ResetSource = (typeof RESET_SOURCES)[number];

export const RESET_RESULTS = ["running", "ok", "failed", "interrupted"] as const;
export type ResetResult = (typeof RESET_RESULTS)[number];

/** Machine ids: plain decimals 1–999, the same in URLs, bodies, the CLI and the helper's argv. */
export const MACHINE_ID_MAX = 999;
export const MACHINE_ID_PATTERN = /^[1-9][0-9]{0,2}$/;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/** Storage host names (config `hosts[].name`): shown in the grid and used in file names. */
export const HOST_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/**
 * Events (lib/events/): each kind's default severity and whether it is a condition (open until it
 * clears: one row and one notification per PC per condition) or a single occurrence.
 */
export const EVENT_KINDS = {
  "usage-warn": { severity: "warn", condition: true, label: "Past the warning level" },
  "usage-danger": { severity: "danger", condition: true, label: "Past the danger level" },
  "projected-full": { severity: "danger", condition: true, label: "Projected full soon" },
  "snapshot-invalid": { severity: "danger", condition: true, label: "Snapshot Invalid" },
  "snapshot-overflow": { severity: "danger", condition: true, label: "Snapshot Overflow" },
  online: { severity: "info", condition: false, label: "Came online" },
  offline: { severity: "info", condition: false, label: "Went offline" },
  "reset-failed": { severity: "danger", condition: false, label: "Reset failed" },
  "host-unreachable": { severity: "danger", condition: true, label: "Storage host unreachable" },
  "store-low": { severity: "warn", condition: true, label: "COW store space low" },
  autoextend: { severity: "info", condition: false, label: "Auto-extended" },
  "autoextend-refused": { severity: "danger", condition: true, label: "Auto-extend refused" },
  "autoextend-max": { severity: "warn", condition: true, label: "At its largest size" },
  grow: { severity: "info", condition: false, label: "Grown by hand" },
  wake: { severity: "info", condition: false, label: "Woken (Wake-on-LAN)" },
  test: { severity: "info", condition: false, label: "Test notification" },
} as const;
export type EventKind = keyof typeof EVENT_KINDS;
export const EVENT_KIND_NAMES = Object.keys(EVENT_KINDS) as EventKind[];

export const SEVERITIES = ["info", "warn", "danger"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Where notifications go: a generic JSON webhook, or the ntfy / Discord presets. */
export const ALERT_TARGET_KINDS = ["webhook", "ntfy", "discord"] as const;
export type AlertTargetKind = (typeof ALERT_TARGET_KINDS)[number];
/** Master image steps, as the image log records them (SQL CHECK lists the same). */
export const IMAGE_ACTIONS = ["update", "publish", "discard", "current", "delete"] as const;
export type ImageAction = (typeof IMAGE_ACTIONS)[number];
export const IMAGE_RESULTS = ["running", "ok", "failed", "refused", "interrupted"] as const;
export type ImageResult = (typeof IMAGE_RESULTS)[number];
/** A version's comment (what the update changed). */
export const IMAGE_COMMENT_MAX = 200;
/** What a "keep" mark is for (shown on the PC's card and page). */
export const KEEP_REASON_MAX = 200;
