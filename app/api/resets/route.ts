import { json, readJson, route } from "@cowherd/core";
import { bulkResetBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/** Starts one reset job for several PCs (or all): 202 with the job; PCs already resetting are refused in it. */
export const POST = route("admin", async ({ req, rt, principal, audit }) => {
  const body = await readJson(req, bulkResetBody);
  const ids = body.machines === "all" ? rt.config.machines.map((m) => m.id) : body.machines;
  const job = rt.orchestrator.submit(ids, { source: principal!.kind === "token" ? "cli" : "bulk", requestedBy: principal!.name });
  const refused = job.machines.filter((m) => m.state === "refused").map((m) => m.name);
  audit("reset.bulk", "ok", job.machines.map((m) => m.name).join(","), `job ${job.id}: ${job.summary.requested - refused.length} started${refused.length ? `; already resetting: ${refused.join(",")}` : ""}`);
  return json({ job }, 202, { location: `/api/jobs/${job.id}` });
});
