import { json, readJson, route } from "@cowherd/core";
import { createAlertTargetBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/** Notification targets (admins): the secret is never sent back, only whether one is set. */
export const GET = route("admin", async ({ rt }) => json({ targets: rt.alertTargets.list() }));

export const POST = route("admin", async ({ req, rt, principal, audit }) => {
  const b = await readJson(req, createAlertTargetBody);
  const target = rt.alertTargets.create(
    { name: b.name, kind: b.kind, url: b.url, secret: b.secret ?? null, minSeverity: b.minSeverity, createdBy: principal!.name },
    Date.now(),
  );
  audit("alerts.target.create", "ok", target.name, `${target.kind} ${new URL(target.url).origin}, ${target.minSeverity} and above`);
  return json({ target }, 201);
});
