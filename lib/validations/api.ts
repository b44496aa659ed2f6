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
