import { json, route } from "@cowherd/core";

export const dynamic = "force-dynamic";

export const GET = route("user", async ({ rt }) => json(await rt.machinesView()));
