import { errors, json, parseWith, readJson, route } from "@cowherd/core";
import { growBody, machineIdParam } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/**
 * Grows a PC's COW online to `mib` (admins): up to its maxCowSizeMiB, never into the store's
 * reserve. A refusal is 409 with the host's words; nothing changed.
 */
export const POST = route<{ id: string }>("admin", async ({ req, rt, principal, audit }, params) => {
  const id = parseWith(machineIdParam, params.id, "machine id");
  const m = rt.orchestrator.machine(id);
  const { mib } = await readJson(req, growBody);
  const v = (await rt.machinesView()).machines.find((x) => x.id === id)!;
  if (v.state !== "ok" || v.totalSectors === null) throw errors.conflict("not-growable", `${m.name} has no live snapshot to grow (${v.condition})`);
  if (rt.orchestrator.progress().has(id)) throw errors.conflict("reset_in_progress", `${m.name} is being reset`);
  const r = await rt.extender.growByHand(id, mib, principal!.name, v);
  audit("grow", r.ok ? "ok" : "failed", m.name, r.ok ? `${r.fromMiB} → ${r.toMiB} MiB` : `${r.step}: ${r.error}`);
  if (!r.ok) throw errors.conflict(r.step === "space" ? "no-space" : r.step === "validate" ? "bad-size" : "grow-failed", r.error ?? "grow failed");
  return json({ grown: r });
});
