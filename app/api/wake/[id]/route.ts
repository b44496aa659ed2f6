import { errors, json, parseWith, route } from "@cowherd/core";
import { jobIdParam } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>("user", async ({ rt }, params) => {
  const id = parseWith(jobIdParam, params.id, "wake job id");
  const job = rt.waker.get(id);
  if (!job) throw errors.notFound(`No wake job ${id}`);
  return json({ job });
});
