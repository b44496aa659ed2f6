import { z } from "zod";
import { HOST_NAME_PATTERN, IMAGE_COMMENT_MAX, MACHINE_ID_MAX, MACHINE_ID_PATTERN, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, RESET_RESULTS, RESET_SOURCES } from "../constants";

/** Machine ids as they appear in URLs and bodies: a plain decimal 1-999, nothing else. */
export const machineIdParam = z.string().regex(MACHINE_ID_PATTERN, `machine id must be an integer 1-${MACHINE_ID_MAX}`).transform(Number);
export const machineId = z.number().int().min(1).max(MACHINE_ID_MAX);

export const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict();

/** What to do with PCs that are up: see lib/reset/requests.ts (kept in step by a unit test). */
const whenOnline = z.enum(["refuse", "next-boot", "force"]);
export const bulkResetBody = z
  .object({ machines: z.union([z.literal("all"), z.array(machineId).min(1).max(MACHINE_ID_MAX)]), whenOnline: whenOnline.default("refuse") })
  .strict();
export const resetBody = z.object({ whenOnline: whenOnline.default("refuse") }).strict();
export const bootsQuery = z
  .object({
    machine: machineIdParam.optional(),
    page: z.string().regex(/^[1-9][0-9]{0,5}$/).transform(Number).default(1),
    pageSize: z.string().regex(/^[1-9][0-9]{0,2}$/).transform(Number).pipe(z.number().max(200)).default(25),
  })
  .strict();

export const historyQuery = z
  .object({
    machine: machineIdParam.optional(),
    result: z.enum(RESET_RESULTS).optional(),
    source: z.enum(RESET_SOURCES).optional(),
    page: z.string().regex(/^[1-9][0-9]{0,5}$/).transform(Number).default(1),
    pageSize: z.string().regex(/^[1-9][0-9]{0,2}$/).transform(Number).pipe(z.number().max(200)).default(25),
  })
  .strict();

export const jobIdParam = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "job id must be a UUID");
export const idParam = z.string().regex(/^[1-9][0-9]{0,8}$/, "id must be a positive integer").transform(Number);
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
    action: z.string().regex(/^[a-z.]{1,40}$/).optional(),
    actor: z.string().min(1).max(100).optional(),
    outcome: z.enum(["ok", "failed", "denied"]).optional(),
    page: z.string().regex(/^[1-9][0-9]{0,5}$/).transform(Number).default(1),
    pageSize: z.string().regex(/^[1-9][0-9]{0,2}$/).transform(Number).pipe(z.number().max(200)).default(50),
  })
  .strict();

// ── master image versions ──
const imageComment = z
  .string()
  .max(IMAGE_COMMENT_MAX, `at most ${IMAGE_COMMENT_MAX} characters`)
  .regex(/^[^\u0000-\u001f\u007f]*$/, "one line of text")
  .transform((c) => c.trim() || null);
const storageHost = z.string().regex(HOST_NAME_PATTERN, "a storage host name");
/** Image version numbers: plain decimals, as the helper takes them. */
export const imageVersion = z.number().int().min(1).max(999_999);
export const imageVersionParam = z.string().regex(/^[1-9][0-9]{0,5}$/, "version must be a plain integer").transform(Number);
export const imageUpdateBody = z.object({ machine: machineId, comment: imageComment.optional() }).strict();
export const imagePublishBody = z.object({ host: storageHost.optional(), comment: imageComment.optional() }).strict();
export const imageHostBody = z.object({ host: storageHost.optional() }).strict();
export const imageCurrentBody = z.object({ host: storageHost.optional(), version: imageVersion }).strict();
export const imageHostQuery = z.object({ host: storageHost.optional() }).strict();
