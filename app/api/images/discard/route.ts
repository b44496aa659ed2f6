import { json, readOptionalJson, route } from "@cowherd/core";
import { imageHostBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/** The draft is deleted and the update PC boots its own disk again. */
export const POST = route("admin", async ({ req, rt, principal, audit }) => {
  const body = await readOptionalJson(req, imageHostBody);
  const host = rt.images.host(body.host);
  const group = rt.images.group(body.group);
  const disk = rt.images.disk(group, body.disk);
  return json(
    await rt.images.run(host, { op: "discard", group: group.name, ...(disk ? { disk } : {}) }, principal!.name, null, (outcome, detail) =>
      audit("image.discard", outcome, host, detail),
    ),
  );
});
