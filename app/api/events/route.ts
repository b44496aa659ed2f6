import { json, parseQuery, route } from "@cowherd/core";
import { eventsQuery } from "@/lib/validations/api";
import type { EventKind } from "@/lib/constants";

export const dynamic = "force-dynamic";

/** Events, newest first: filter by PC, kind, severity, or only the conditions still open. */
export const GET = route("user", async ({ req, rt }) => {
  const q = parseQuery(eventsQuery, req);
  const { rows, total } = rt.events.list({
    machineId: q.machine,
    kind: q.kind as EventKind | undefined,
    severity: q.severity,
    open: q.open === "1",
    page: q.page,
    pageSize: q.pageSize,
  });
  return json({ events: rows, total, page: q.page, pageSize: q.pageSize, open: rt.events.countOpen(), readAt: Date.now() });
});
