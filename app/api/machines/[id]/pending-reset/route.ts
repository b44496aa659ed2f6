import { errors, json, parseWith, route } from "@cowherd/core";
import { machineIdParam } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/** Cancels a "reset at next boot". */
export const DELETE = route<{ id: string }>("admin", async ({ rt, audit }, params) => {
  const id = parseWith(machineIdParam, params.id, "machine id");
  const name = rt.orchestrator.machine(id).name;
  if (!rt.boots.clearPending(id)) throw errors.notFound(`${name} has no reset waiting for its next boot`);
  audit("reset.next-boot.cancel", "ok", name);
  return json({ ok: true });
});
