import { json, readJson, route } from "@/lib/api/route";
import { bulkResetBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

export const POST = route("admin", async ({ req, rt, user }) => {
  const body = await readJson(req, bulkResetBody);
  const ids = body.machines === "all" ? rt.config.machines.map((m) => m.id) : body.machines;
  const batch = await rt.orchestrator.resetMany(ids, { source: "bulk", requestedBy: user!.username });
  return json(batch);
});
