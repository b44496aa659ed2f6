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
  const { mib, disk = "system" } = await readJson(req, growBody);
  const v = (await rt.machinesView()).machines.find((x) => x.id === id)!;
  if (disk === "game" && !v.game) throw errors.badRequest(`${m.name} has no game disk`);
  const d = disk === "game" ? v.game! : v;
  if (d.state !== "ok" || d.totalSectors === null)
    throw errors.conflict("not-growable", `${m.name}${disk === "game" ? "'s game disk" : ""} has no live snapshot to grow (${d.condition})`);
  if (rt.orchestrator.progress().has(id)) throw errors.conflict("reset_in_progress", `${m.name} is being reset`);
  const r = await rt.extender.growByHand(id, mib, principal!.name, v, disk);
  audit("grow", r.ok ? "ok" : "failed", m.name, `${disk === "game" ? "game disk: " : ""}${r.ok ? `${r.fromMiB} → ${r.toMiB} MiB` : `${r.step}: ${r.error}`}`);
  if (!r.ok) throw errors.conflict(r.step === "space" ? "no-space" : r.step === "validate" ? "bad-size" : "grow-failed", r.error ?? "grow failed");
  return json({ grown: r });
});
