import { json, readJson, requestResets, route, selectionWords, selectPcs } from "@cowherd/core";
import { bulkResetBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/**
 * Resets several PCs (ids, "all", or a PC group's: `group`) in one job: 202 with the job. PCs that are up are handled as
 * `whenOnline` says: left alone and listed in `online` (refuse, the default), marked for their next
 * boot and listed in `nextBoot`, or reset too (force). PCs already resetting are refused in the job.
 * Kept PCs (an admin's "keep" mark) are left alone and listed in `kept`.
 */
export const POST = route("admin", async ({ req, rt, principal, audit }) => {
  const body = await readJson(req, bulkResetBody);
  const ids = selectPcs(rt.config, body);
  const r = requestResets(rt, ids, { source: principal!.kind === "token" ? "cli" : "bulk", requestedBy: principal!.name, whenOnline: body.whenOnline });
  const names = (list: number[]) => list.map((id) => rt.orchestrator.machine(id).name).join(",");
  const refused = r.job?.machines.filter((m) => m.state === "refused").map((m) => m.name) ?? [];
  audit(
    "reset.bulk",
    "ok",
    names(ids),
    [
      selectionWords(body),
      r.job ? `job ${r.job.id}: ${r.job.summary.requested - refused.length} started` : "no job",
      refused.length ? `already resetting: ${refused.join(",")}` : "",
      r.nextBoot.length ? `at next boot: ${names(r.nextBoot)}` : "",
      r.online.length ? `left alone (up): ${names(r.online)}` : "",
      r.kept.length ? `left alone (kept): ${names(r.kept)}` : "",
    ]
      .filter(Boolean)
      .join("; "),
  );
  return json(r, r.job ? 202 : 200, r.job ? { location: `/api/jobs/${r.job.id}` } : {});
});
