import { errors, json, parseWith, route } from "@cowherd/core";
import { idParam } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/** Sends a test notification now and answers how it went (200 either way: a failed delivery is a result). */
export const POST = route<{ id: string }>("admin", async ({ rt, principal, audit }, params) => {
  const id = parseWith(idParam, params.id, "target id");
  const target = rt.alertTargets.get(id);
  if (!target) throw errors.notFound(`No notification target with id ${id}`);
  const result = await rt.notifier.test(id, principal!.name);
  audit("alerts.target.test", result.ok ? "ok" : "failed", target.name, result.error);
  return json({ result, target: rt.alertTargets.list().find((t) => t.id === id) });
});
