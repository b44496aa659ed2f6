import { json, readJson, route } from "@cowherd/core";
import { bulkResetBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

export const POST = route("admin", async ({ req, rt, principal, audit }) => {
  const body = await readJson(req, bulkResetBody);
  const ids = body.machines === "all" ? rt.config.machines.map((m) => m.id) : body.machines;
  const batch = await rt.orchestrator.resetMany(ids, { source: principal!.kind === "token" ? "cli" : "bulk", requestedBy: principal!.name });
  const failed = batch.results.filter((r) => !r.ok).map((r) => r.name);
  audit("reset.bulk", failed.length ? "failed" : "ok", batch.results.map((r) => r.name).join(","), `${batch.summary.ok}/${batch.summary.requested} ok${failed.length ? `; failed: ${failed.join(",")}` : ""}`);
  return json(batch);
});
