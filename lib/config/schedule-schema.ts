import { z } from "zod";

/** "HH:MM", 24-hour, the server's local time (the time zone the Cowherd process runs in). */
export const TIME_OF_DAY = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/**
 * Scheduled resets and clean-up (lib/schedule/): every rule is optional and off unless written, so a
 * config without `schedule` behaves as before. Changed in the config file; they take effect at start.
 */
export const scheduleSchema = z
  .object({
    /** Reset every PC that is off (and not kept) once a day at this time of day. */
    dailyReset: z
      .object({
        at: z.string().regex(TIME_OF_DAY, 'must be a time of day "HH:MM" (24-hour, the server\'s local time), e.g. "06:00"'),
      })
      .strict()
      .optional(),
    /** Reset a PC (not kept) once it has been off this many minutes since its last boot. */
    afterOff: z
      .object({
        minutes: z
          .number({ error: "must be a number of minutes" })
          .int("must be a whole number of minutes")
          .min(1, "at least 1 minute")
          .max(7 * 24 * 60, "at most 10080 minutes (7 days)"),
      })
      .strict()
      .optional(),
    /** Discard an update draft left untouched (no start, no boot of its update PC) this many days. */
    draftCleanup: z
      .object({
        days: z.number({ error: "must be a number of days" }).int("must be a whole number of days").min(1, "at least 1 day").max(365, "at most 365 days"),
      })
      .strict()
      .optional(),
  })
  .strict()
  .default({});

export type ScheduleConfig = z.output<typeof scheduleSchema>;
