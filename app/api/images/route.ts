import { json, route } from "@cowherd/core";

export const dynamic = "force-dynamic";

/** Every storage host's image versions (with comments), its update draft and running step, and the image log. */
export const GET = route("admin", async ({ rt }) => json(await rt.images.view()));
