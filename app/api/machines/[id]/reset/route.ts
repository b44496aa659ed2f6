import { json, parseWith, route } from "@cowherd/core";
import { machineIdParam } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>("admin", async ({ rt, principal, audit }, params) => {
  const id = parseWith(machineIdParam, params.id, "machine id");
  // Scripts and the shell tool authenticate with tokens; people use the dashboard.
  const source = principal!.kind === "token" ? "cli" : "dashboard";
  const result = await rt.orchestrator.resetOne(id, { source, requestedBy: principal!.name });
  audit("reset", result.ok ? "ok" : "failed", result.name, result.ok ? null : `${result.failedStep}: ${result.error}`);
  return json({ result }, result.ok ? 200 : 500);
});
