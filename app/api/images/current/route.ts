import { json, readJson, route } from "@cowherd/core";
import { imageCurrentBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/** Rollback (or roll forward): PCs move to this version at their next reset. */
export const POST = route("admin", async ({ req, rt, principal, audit }) => {
  const body = await readJson(req, imageCurrentBody);
  const host = rt.images.host(body.host);
  const group = rt.images.group(body.group);
  const disk = rt.images.disk(group, body.disk);
  return json(
    await rt.images.run(
      host,
      { op: "current", version: body.version, group: group.name, ...(disk ? { disk } : {}) },
      principal!.name,
      null,
      (outcome, detail) => audit("image.current", outcome, host, detail),
    ),
  );
});
