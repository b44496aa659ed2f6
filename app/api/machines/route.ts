import { json, route } from "@/lib/api/route";

export const dynamic = "force-dynamic";

export const GET = route("user", async ({ rt }) => json(await rt.machinesView()));
