import { errors, json, parseWith, route } from "@cowherd/core";
import { jobIdParam } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/** A reset job: each PC's state (queued, running with its step, done with its outcome, refused). */
export const GET = route<{ id: string }>("user", async ({ rt }, params) => {
  const id = parseWith(jobIdParam, params.id, "job id");
  const job = rt.orchestrator.job(id);
  if (!job) throw errors.notFound(`No job ${id}`);
  return json({ job });
});
