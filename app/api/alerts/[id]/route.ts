import { errors, json, parseWith, readJson, route } from "@cowherd/core";
import { idParam, updateAlertTargetBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

export const PATCH = route<{ id: string }>("admin", async ({ req, rt, audit }, params) => {
  const id = parseWith(idParam, params.id, "target id");
  const b = await readJson(req, updateAlertTargetBody);
  const target = rt.alertTargets.update(id, b);
  if (!target) throw errors.notFound(`No notification target with id ${id}`);
  audit("alerts.target.update", "ok", target.name, Object.keys(b).join(", "));
  return json({ target });
});

export const DELETE = route<{ id: string }>("admin", async ({ rt, audit }, params) => {
  const id = parseWith(idParam, params.id, "target id");
  const target = rt.alertTargets.get(id);
  if (!target || !rt.alertTargets.delete(id)) throw errors.notFound(`No notification target with id ${id}`);
  audit("alerts.target.delete", "ok", target.name);
  return json({ ok: true });
});
