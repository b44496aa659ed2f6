import { json, parseQuery, route } from "@cowherd/core";
import { bootsQuery } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/** Boots through the iPXE script, newest first: when, how they ended, the reset done before, if any. */
export const GET = route("user", async ({ req, rt }) => {
  const q = parseQuery(bootsQuery, req);
  const { rows, total } = rt.boots.list({ machineId: q.machine, page: q.page, pageSize: q.pageSize });
  return json({ boots: rows, total, page: q.page, pageSize: q.pageSize });
});
