import { json, machineKept, machineOnline, parseWith, readOptionalJson, requestResets, route } from "@cowherd/core";
import { machineIdParam, resetBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/**
 * Resets one PC: 202 with the job (progress and outcome from GET /api/jobs/{id}). A PC that is up
 * is refused with 409 machine-online unless the body says `whenOnline`: "next-boot" (marked: 200)
 * or "force". A kept PC is refused with 409 machine-kept unless the body says `confirmKept: true`
 * (and is never marked for its next boot).
 */
export const POST = route<{ id: string }>("admin", async ({ req, rt, principal, audit }, params) => {
  const id = parseWith(machineIdParam, params.id, "machine id");
  const { whenOnline, confirmKept, disk } = await readOptionalJson(req, resetBody);
  // Scripts and the shell tool authenticate with tokens; people use the dashboard.
  const source = principal!.kind === "token" ? "cli" : "dashboard";
  const name = rt.orchestrator.machine(id).name;
  const kept = rt.keeps.get(id);
  if (kept && !confirmKept) throw machineKept(name, kept);
  const r = requestResets(rt, [id], { source, requestedBy: principal!.name, whenOnline, confirmKept, ...(disk ? { disk } : {}) });
  if (r.online.length) throw machineOnline(name);
  if (!r.job) {
    audit("reset.next-boot", "ok", name, "marked: it is up");
    return json({ job: null, nextBoot: r.nextBoot }, 200);
  }
  audit(
    "reset",
    "ok",
    name,
    `job ${r.job.id}${disk ? `, ${disk} disk only` : ""}${whenOnline === "force" ? ", forced" : ""}${kept ? ", kept PC (confirmed)" : ""}`,
  );
  return json({ job: r.job, nextBoot: [] }, 202, { location: `/api/jobs/${r.job.id}` });
});
