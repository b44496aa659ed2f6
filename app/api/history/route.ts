import { json, parseQuery, route } from "@cowherd/core";
import { historyQuery } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

export const GET = route("user", async ({ req, rt }) => {
  const q = parseQuery(historyQuery, req);
  const { rows, total } = rt.history.list({ machineId: q.machine, result: q.result, source: q.source, page: q.page, pageSize: q.pageSize });
  return json({ resets: rows, total, page: q.page, pageSize: q.pageSize });
});
