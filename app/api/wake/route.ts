import { json, readJson, route, selectionWords, selectPcs } from "@cowherd/core";
import { wakeBody } from "@/lib/validations/api";

export const dynamic = "force-dynamic";

/**
 * Wakes PCs (ids, "all", or a PC group's: `group`) with Wake-on-LAN (admins): `batchSize` at a time every `intervalSeconds` (defaults from
 * the wol config), to wol.broadcast:wol.port. 202 with the job; GET /api/wake/{id} follows it.
 * A PC already in a running wake job is left out (409 when that leaves none); beyond the running
 * jobs' cap, 429 (lib/wol/wake.ts).
 */
export const POST = route("admin", async ({ req, rt, principal, audit }) => {
  const b = await readJson(req, wakeBody);
  const ids = selectPcs(rt.config, b);
  ids.forEach((id) => rt.orchestrator.machine(id)); // unknown ids: 404, nothing sent
  const batchSize = b.batchSize ?? rt.config.wol.batchSize;
  const intervalSeconds = b.intervalSeconds ?? rt.config.wol.intervalSeconds;
  const { job } = rt.waker.start(ids, { batchSize, intervalMs: intervalSeconds * 1000 }, principal!.name);
  const names = (state: string) => job.machines.filter((m) => m.state === state).map((m) => m.name);
  const [noMac, busy] = [names("no-mac"), names("busy")];
  rt.eventLog.record({
    kind: "wake",
    message: `${principal!.name} woke ${job.machines.length - noMac.length - busy.length} PCs (${batchSize} every ${intervalSeconds} s to ${job.broadcast}:${job.port})${noMac.length ? `; no MAC for ${noMac.join(", ")}` : ""}${busy.length ? `; already being woken: ${busy.join(", ")}` : ""}`,
    detail: { job: job.id, machines: ids.length },
  });
  audit(
    "wake",
    "ok",
    ids.length === rt.config.machines.length ? "all" : job.machines.map((m) => m.name).join(","),
    [selectionWords(b), `job ${job.id}, ${batchSize} every ${intervalSeconds} s`].filter(Boolean).join("; "),
  );
  return json({ job }, 202, { location: `/api/wake/${job.id}` });
});
