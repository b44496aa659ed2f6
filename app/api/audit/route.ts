import { json, parseQuery, route } from "@cowherd/core";
import { auditQuery } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

export const GET = route("admin", async ({ req, rt }) => {
  const q = parseQuery(auditQuery, req);
  const { rows, total } = rt.audit.list(q);
  return json({ entries: rows, total, page: q.page, pageSize: q.pageSize });
});
