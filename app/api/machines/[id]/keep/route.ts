import { errors, json, keepPc, parseWith, readOptionalJson, route } from "@cowherd/core";
import { keepBody, machineIdParam } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/**
 * Marks a PC "keep": bulk resets, "Reset all before the event", scheduled resets and resets at next
 * boot leave it alone until the mark is removed. A reset waiting for its next boot is cancelled.
 */
export const PUT = route<{ id: string }>("admin", async ({ req, rt, principal, audit }, params) => {
  const id = parseWith(machineIdParam, params.id, "machine id");
  const { reason } = await readOptionalJson(req, keepBody);
  const name = rt.orchestrator.machine(id).name;
  const mark = { keptBy: principal!.name, keptAt: Date.now(), reason: reason?.trim() || null };
  const { cancelledPending } = keepPc(rt, id, mark);
  audit("keep.set", "ok", name, [mark.reason, cancelledPending ? "its reset at next boot cancelled" : ""].filter(Boolean).join("; ") || null);
  return json({ kept: mark, cancelledPending });
});

/** Removes the mark: the PC is reset with the others again. */
export const DELETE = route<{ id: string }>("admin", async ({ rt, audit }, params) => {
  const id = parseWith(machineIdParam, params.id, "machine id");
  const name = rt.orchestrator.machine(id).name;
  if (!rt.keeps.clear(id)) throw errors.notFound(`${name} is not kept`);
  audit("keep.remove", "ok", name);
  return json({ ok: true });
});
