import { json, readJson, route } from "@cowherd/core";
import { imageUpdateBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/**
 * Update mode on one PC: a copy of the current version (the next version's draft), exported
 * read-write to that PC only. 202 while the copy runs (its progress is in GET /api/images).
 */
export const POST = route("admin", async ({ req, rt, principal, audit }) => {
  const body = await readJson(req, imageUpdateBody);
  const m = rt.images.machine(body.machine);
  const r = await rt.images.run(m.host, { op: "update", machine: m.id }, principal!.name, body.comment ?? null, (outcome, detail) => audit("image.update", outcome, m.name, detail));
  return json(r, r.images ? 200 : 202);
});
