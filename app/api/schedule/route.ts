import { json, route, scheduleView } from "@cowherd/core";

export const dynamic = "force-dynamic";

/** The schedule rules as the Settings page shows them (read-only: they are set in the config file). */
export const GET = route("admin", async ({ rt }) =>
  json({ rules: scheduleView(rt.config.schedule, (rule) => rt.schedule.last(rule), Date.now(), rt.schedule.nextLook()) }),
);
