import { z } from "zod";
import { freeText } from "./free-text";
import {
  ALERT_TARGET_KINDS,
  EVENT_KIND_NAMES,
  HOST_NAME_PATTERN,
  IMAGE_COMMENT_MAX,
  KEEP_REASON_MAX,
  MACHINE_ID_MAX,
  MACHINE_ID_PATTERN,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  RESET_RESULTS,
  RESET_SOURCES,
  SEVERITIES,
} from "../constants";

/** Machine ids as they appear in URLs and bodies: a plain decimal 1-999, nothing else. */
export const machineIdParam = z.string().regex(MACHINE_ID_PATTERN, `machine id must be an integer 1-${MACHINE_ID_MAX}`).transform(Number);
export const machineId = z.number().int().min(1).max(MACHINE_ID_MAX);

export const loginBody = z.object({ username: freeText(64).pipe(z.string().min(1)), password: z.string().min(1).max(256) }).strict();

/** What to do with PCs that are up: see lib/reset/requests.ts (kept in step by a unit test). */
const whenOnline = z.enum(["refuse", "next-boot", "force"]);
/** Which of a PC's disks (a group with a game disk): absent, every disk it has. */
export const diskParam = z.enum(["system", "game"]);
const groupName = z.string().regex(HOST_NAME_PATTERN, "a PC group's name");
/**
 * The PCs a request takes (lib/reset/pc-selection.ts): `machines` (ids, or "all") or `group` (every
 * PC of that group), exactly one of them.
 */
const pcSelection = {
  machines: z.union([z.literal("all"), z.array(machineId).min(1).max(MACHINE_ID_MAX)]).optional(),
  group: groupName.optional(),
};
const onePcSelection = (b: { machines?: unknown; group?: unknown }, ctx: z.RefinementCtx) => {
  if (b.machines !== undefined && b.group !== undefined)
    ctx.addIssue({ code: "custom", path: ["group"], message: 'give machines (ids or "all") or group, not both' });
  if (b.machines === undefined && b.group === undefined) ctx.addIssue({ code: "custom", path: ["machines"], message: 'give machines (ids or "all") or group' });
};
export const bulkResetBody = z
  .object({ ...pcSelection, whenOnline: whenOnline.default("refuse"), disk: diskParam.optional() })
  .strict()
  .superRefine(onePcSelection);
/** `confirmKept`: the admin confirmed resetting a kept PC (without it a kept PC is a 409 machine-kept). */
export const resetBody = z.object({ whenOnline: whenOnline.default("refuse"), confirmKept: z.boolean().default(false), disk: diskParam.optional() }).strict();
/** What a "keep" mark is for, shown on the PC's card (optional). */
export const keepBody = z.object({ reason: freeText(KEEP_REASON_MAX).optional() }).strict();
/**
 * List paging, bounded per request: at most PAGE_SIZE_MAX rows a page (more is a 400, not a silent
 * clamp: a script asking for 500 should learn it got a page, not the lot), and no page further than
 * PAGE_DEPTH_MAX rows in (OFFSET walks every row before it: narrow the list with its filters instead).
 */
export const PAGE_SIZE_MAX = 100;
export const PAGE_DEPTH_MAX = 10_000;
const paging = (pageSize: number) => ({
  page: z
    .string()
    .regex(/^[1-9][0-9]{0,5}$/, "page must be a positive integer")
    .transform(Number)
    .default(1),
  pageSize: z
    .string()
    .regex(/^[1-9][0-9]{0,5}$/, "pageSize must be a positive integer")
    .transform(Number)
    .pipe(z.number().max(PAGE_SIZE_MAX, `pageSize is at most ${PAGE_SIZE_MAX}`))
    .default(pageSize),
});
const withinPaging = (q: { page: number; pageSize: number }) => (q.page - 1) * q.pageSize < PAGE_DEPTH_MAX;
const pagingMessage = {
  message: `page too deep: lists page through their newest ${PAGE_DEPTH_MAX} rows; narrow with a filter (machine, result, kind…)`,
  path: ["page"],
};

export const bootsQuery = z
  .object({
    machine: machineIdParam.optional(),
    ...paging(25),
  })
  .strict()
  .refine(withinPaging, pagingMessage);

export const historyQuery = z
  .object({
    machine: machineIdParam.optional(),
    result: z.enum(RESET_RESULTS).optional(),
    source: z.enum(RESET_SOURCES).optional(),
    ...paging(25),
  })
  .strict()
  .refine(withinPaging, pagingMessage);

export const jobIdParam = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "job id must be a UUID");
export const idParam = z
  .string()
  .regex(/^[1-9][0-9]{0,8}$/, "id must be a positive integer")
  .transform(Number);
const username = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, "letters, digits, '_', '.', '-' (max 32)");
const password = z.string().min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH);
export const role = z.enum(["admin", "viewer"]);

export const createUserBody = z.object({ username, password, role }).strict();
export const updateUserBody = z
  .object({ role: role.optional(), password: password.optional(), revokeTokens: z.boolean().optional() })
  .strict()
  .refine((b) => b.role !== undefined || b.password !== undefined, "give role or password")
  .refine((b) => !b.revokeTokens || b.password !== undefined, "revokeTokens goes with a new password");
export const createTokenBody = z.object({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,47}$/), scope: z.enum(["read", "admin"]) }).strict();
export const auditQuery = z
  .object({
    action: z
      .string()
      .regex(/^[a-z.]{1,40}$/)
      .optional(),
    actor: freeText(100).pipe(z.string().min(1)).optional(),
    outcome: z.enum(["ok", "failed", "denied"]).optional(),
    ...paging(50),
  })
  .strict()
  .refine(withinPaging, pagingMessage);

// ── usage, events, alerts, Wake-on-LAN (issue 9) ──

/** Chart ranges, in milliseconds. */
export const RANGES = { "1h": 3_600_000, "6h": 6 * 3_600_000, "24h": 24 * 3_600_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 } as const;
export type RangeName = keyof typeof RANGES;
export const RANGE_NAMES = Object.keys(RANGES) as RangeName[];
/**
 * A chart is drawn a few hundred pixels wide: more points than that cost the server (and every other
 * reader's latency) and show nothing more. Callers ask for their width in `points`.
 */
export const CHART_POINTS_MAX = 1000;
export const CHART_POINTS_DEFAULT = 500;
/** `points`: the chart's width, the most points it gets back (2-CHART_POINTS_MAX; more is a 400). */
export const rangeQuery = z
  .object({
    range: z.enum(RANGE_NAMES as [RangeName, ...RangeName[]]).default("6h"),
    points: z
      .string()
      .regex(/^[1-9][0-9]{0,5}$/, "points must be a positive integer")
      .transform(Number)
      .pipe(z.number().min(2).max(CHART_POINTS_MAX, `points is at most ${CHART_POINTS_MAX}`))
      .default(CHART_POINTS_DEFAULT),
  })
  .strict();

export const growBody = z
  .object({
    mib: z
      .number()
      .int()
      .min(1)
      .max(1024 * 1024),
    disk: diskParam.optional(),
  })
  .strict();

export const eventsQuery = z
  .object({
    machine: machineIdParam.optional(),
    kind: z.enum(EVENT_KIND_NAMES as [string, ...string[]]).optional(),
    severity: z.enum(SEVERITIES).optional(),
    open: z.enum(["1"]).optional(),
    ...paging(50),
  })
  .strict()
  .refine(withinPaging, pagingMessage);

/** A notification target's URL: http(s) only, no credentials in it (the secret goes in its own field). */
const targetUrl = z
  .string()
  .max(2048)
  .refine((u) => {
    try {
      const p = new URL(u);
      return (p.protocol === "http:" || p.protocol === "https:") && !p.username && !p.password;
    } catch {
      return false;
    }
  }, "must be an http(s) URL without user:password in it");
const targetName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.'-]{0,47}$/, "letters, digits, spaces and _ . ' - (max 48)");
const secret = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[\x21-\x7e]+$/, "printable characters without spaces");
export const createAlertTargetBody = z
  .object({ name: targetName, kind: z.enum(ALERT_TARGET_KINDS), url: targetUrl, secret: secret.optional(), minSeverity: z.enum(SEVERITIES).default("warn") })
  .strict();
export const updateAlertTargetBody = z
  .object({
    name: targetName.optional(),
    url: targetUrl.optional(),
    secret: secret.nullable().optional(),
    minSeverity: z.enum(SEVERITIES).optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "give at least one field to change");

export const wakeBody = z
  .object({
    ...pcSelection,
    batchSize: z.number().int().min(1).max(250).optional(),
    intervalSeconds: z.number().min(0).max(120).optional(),
  })
  .strict()
  .superRefine(onePcSelection);
// ── master image versions ──
const imageComment = freeText(IMAGE_COMMENT_MAX).transform((c) => c.trim() || null);
const storageHost = z.string().regex(HOST_NAME_PATTERN, "a storage host name");
/** Image version numbers: plain decimals, as the helper takes them. */
export const imageVersion = z.number().int().min(1).max(999_999);
export const imageVersionParam = z
  .string()
  .regex(/^[1-9][0-9]{0,5}$/, "version must be a plain integer")
  .transform(Number);
/** `force`: start update mode although the PC is up (its running Windows loses its disk). */
/** `disk: "game"`: the group's game disk's versions (absent: its system disk's). */
const imageDisk = z.literal("game", { message: 'disk must be "game" (absent: the system disk)' });
export const imageUpdateBody = z
  .object({ machine: machineId, comment: imageComment.optional(), force: z.boolean().default(false), disk: imageDisk.optional() })
  .strict();
// `group`: whose versions (a PC group's name); needed once the config has more than one group.
export const imagePublishBody = z
  .object({ host: storageHost.optional(), group: groupName.optional(), comment: imageComment.optional(), disk: imageDisk.optional() })
  .strict();
export const imageHostBody = z.object({ host: storageHost.optional(), group: groupName.optional(), disk: imageDisk.optional() }).strict();
export const imageCurrentBody = z
  .object({ host: storageHost.optional(), group: groupName.optional(), version: imageVersion, disk: imageDisk.optional() })
  .strict();
export const imageHostQuery = z.object({ host: storageHost.optional(), group: groupName.optional(), disk: imageDisk.optional() }).strict();
