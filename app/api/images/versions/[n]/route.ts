import { json, parseQuery, parseWith, route } from "@cowherd/core";
import { imageHostQuery, imageVersionParam } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/** Deletes a version: refused (409) for the current one or one a PC sits on. */
export const DELETE = route<{ n: string }>("admin", async ({ req, rt, principal, audit }, params) => {
  const n = parseWith(imageVersionParam, params.n, "version");
  const q = parseQuery(imageHostQuery, req);
  const host = rt.images.host(q.host);
  const group = rt.images.group(q.group);
  const disk = rt.images.disk(group, q.disk);
  return json(
    await rt.images.run(host, { op: "delete", version: n, group: group.name, ...(disk ? { disk } : {}) }, principal!.name, null, (outcome, detail) =>
      audit("image.delete", outcome, host, detail),
    ),
  );
});
