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
  // "all" (or a group) with disk "game": those of its PCs that have a game disk.
  const chosen = selectPcs(rt.config, body);
  const ids =
    body.disk === "game" && body.machines !== undefined && body.machines !== "all"
      ? chosen
      : chosen.filter((id) => body.disk !== "game" || rt.orchestrator.machine(id).game);
  const r = requestResets(rt, ids, {
    source: principal!.kind === "token" ? "cli" : "bulk",
    requestedBy: principal!.name,
    whenOnline: body.whenOnline,
    ...(body.disk ? { disk: body.disk } : {}),
  });
  const names = (list: number[]) => list.map((id) => rt.orchestrator.machine(id).name).join(",");
  const refused = r.job?.machines.filter((m) => m.state === "refused").map((m) => m.name) ?? [];
  audit(
    "reset.bulk",
    "ok",
    names(ids),
    [
      selectionWords(body),
      r.job ? `job ${r.job.id}: ${r.job.summary.requested - refused.length} started${body.disk ? ` (${body.disk} disk only)` : ""}` : "no job",
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
