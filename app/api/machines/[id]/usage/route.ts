import { json, machineChart, parseQuery, parseWith, route } from "@cowherd/core";
import { machineIdParam, RANGES, rangeQuery } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/** One PC's usage over `range` (1h, 6h, 24h, 7d, 30d) with its resets, boots and events. */
export const GET = route<{ id: string }>("user", async ({ req, rt }, params) => {
  const id = parseWith(machineIdParam, params.id, "machine id");
  const m = rt.orchestrator.machine(id);
  const { range, points } = parseQuery(rangeQuery, req);
  return json({ machine: { id: m.id, name: m.name }, range, ...machineChart(rt, id, RANGES[range], Date.now(), points) });
});
