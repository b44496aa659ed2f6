import { json, readJson, refuseUpdateWhileUp, route } from "@cowherd/core";
import { imageUpdateBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/**
 * Update mode on one PC: a copy of the current version (the next version's draft), exported
 * read-write to that PC only. 202 while the copy runs (its progress is in GET /api/images). A PC
 * that is up is refused with 409 machine-online unless the body says `force: true`. `disk: "game"`:
 * the draft of its group's game disk (the PC boots its own system disk and hooks the game draft).
 */
export const POST = route("admin", async ({ req, rt, principal, audit }) => {
  const body = await readJson(req, imageUpdateBody);
  const m = rt.images.machine(body.machine);
  const disk = rt.images.disk(rt.images.group(m.group), body.disk);
  try {
    refuseUpdateWhileUp(m, rt.bootTracker.isUp(m.id), body.force);
  } catch (e) {
    audit("image.update", "denied", m.name, "it is up");
    throw e;
  }
  const r = await rt.images.run(m.host, { op: "update", machine: m.id, ...(disk ? { disk } : {}) }, principal!.name, body.comment ?? null, (outcome, detail) =>
    audit("image.update", outcome, m.name, body.force ? `${detail}, forced` : detail),
  );
  return json(r, r.images ? 200 : 202);
});
