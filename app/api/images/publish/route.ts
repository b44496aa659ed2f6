import { json, readOptionalJson, route } from "@cowherd/core";
import { imagePublishBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/** The draft becomes the newest read-only version and current: every PC moves to it at its next reset. */
export const POST = route("admin", async ({ req, rt, principal, audit }) => {
  const body = await readOptionalJson(req, imagePublishBody);
  const host = rt.images.host(body.host);
  const group = rt.images.group(body.group);
  const disk = rt.images.disk(group, body.disk);
  return json(
    await rt.images.run(host, { op: "publish", group: group.name, ...(disk ? { disk } : {}) }, principal!.name, body.comment ?? null, (outcome, detail) =>
      audit("image.publish", outcome, host, detail),
    ),
  );
});
