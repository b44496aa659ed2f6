import { z } from "zod";

/** Machine ids as they appear in URLs and bodies: a plain decimal 1-999, nothing else. */
export const machineIdParam = z.string().regex(/^[1-9][0-9]{0,2}$/, "machine id must be an integer 1-999").transform(Number);
export const machineId = z.number().int().min(1).max(999);

export const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict();

export const bulkResetBody = z
  .object({ machines: z.union([z.literal("all"), z.array(machineId).min(1).max(999)]) })
  .strict();

export const historyQuery = z
  .object({
    machine: machineIdParam.optional(),
    result: z.enum(["running", "ok", "failed", "interrupted"]).optional(),
    source: z.enum(["dashboard", "bulk", "boot", "cli", "legacy"]).optional(),
    page: z.string().regex(/^[1-9][0-9]{0,5}$/).transform(Number).default(1),
    pageSize: z.string().regex(/^[1-9][0-9]{0,2}$/).transform(Number).pipe(z.number().max(200)).default(25),
  })
  .strict();

export const idParam = z.string().regex(/^[1-9][0-9]{0,8}$/, "id must be a positive integer").transform(Number);
const username = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, "letters, digits, '_', '.', '-' (max 32)");
const password = z.string().min(10, "at least 10 characters").max(256);
export const role = z.enum(["admin", "viewer"]);

export const createUserBody = z.object({ username, password, role }).strict();
export const updateUserBody = z
  .object({ role: role.optional(), password: password.optional() })
  .strict()
  .refine((b) => b.role !== undefined || b.password !== undefined, "give role or password");
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
