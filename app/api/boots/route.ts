import { json, parseWith, route } from "@cowherd/core";
import { bootsQuery } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/** Boots through the iPXE script, newest first: when, how they ended, the reset done before, if any. */
export const GET = route("user", async ({ req, rt }) => {
  const q = parseWith(bootsQuery, Object.fromEntries(req.nextUrl.searchParams), "query");
  const { rows, total } = rt.boots.list({ machineId: q.machine, page: q.page, pageSize: q.pageSize });
  return json({ boots: rows, total, page: q.page, pageSize: q.pageSize });
});
