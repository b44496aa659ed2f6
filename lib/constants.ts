/**
 * The app's vocabulary and limits, defined once and used by SQL (tests compare the CHECK lists),
 * zod schemas, the UI, the CLI and the helper. Pure constants: safe for client components too.
 */

/** Who asked for a reset. `boot`: the PC itself while booting; `legacy`: the gPXE self-reset route. */
export const RESET_SOURCES = ["dashboard", "bulk", "boot", "cli", "legacy"] as const;
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

/** Master image steps, as the image log records them (SQL CHECK lists the same). */
export const IMAGE_ACTIONS = ["update", "publish", "discard", "current", "delete"] as const;
export type ImageAction = (typeof IMAGE_ACTIONS)[number];
export const IMAGE_RESULTS = ["running", "ok", "failed", "refused", "interrupted"] as const;
export type ImageResult = (typeof IMAGE_RESULTS)[number];
/** A version's comment (what the update changed). */
export const IMAGE_COMMENT_MAX = 200;
