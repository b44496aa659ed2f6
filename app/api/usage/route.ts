import { json, parseQuery, roomChart, route } from "@cowherd/core";
import { RANGES, rangeQuery } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/** The whole room's COW usage over `range`: used and total sectors, PCs online, free space on the stores. */
export const GET = route("user", async ({ req, rt }) => {
  const { range, points } = parseQuery(rangeQuery, req);
  return json({ range, ...roomChart(rt.usage, RANGES[range], Date.now(), points) });
});
