import { json, parseWith, route } from "@/lib/api/route";
import { machineIdParam } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>("admin", async ({ rt, user }, params) => {
  const id = parseWith(machineIdParam, params.id, "machine id");
  const result = await rt.orchestrator.resetOne(id, { source: "dashboard", requestedBy: user!.username });
  return json({ result }, result.ok ? 200 : 500);
});
