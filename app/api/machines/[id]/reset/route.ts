import { json, parseWith, route } from "@cowherd/core";
import { machineIdParam } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/** Starts a reset job for one PC: 202 with the job; its progress and outcome come from GET /api/jobs/{id}. */
export const POST = route<{ id: string }>("admin", async ({ rt, principal, audit }, params) => {
  const id = parseWith(machineIdParam, params.id, "machine id");
  // Scripts and the shell tool authenticate with tokens; people use the dashboard.
  const source = principal!.kind === "token" ? "cli" : "dashboard";
  const job = rt.orchestrator.submit([id], { source, requestedBy: principal!.name });
  audit("reset", "ok", job.machines[0]!.name, `job ${job.id}`);
  return json({ job }, 202, { location: `/api/jobs/${job.id}` });
});
