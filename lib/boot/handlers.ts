import type { Machine } from "../config/schema";
import type { Runtime } from "../runtime";
import { errorText } from "../host/step-error";
import { callerMachine } from "../legacy/handlers";
import { normalizeIp } from "../legacy/peer";
import { errnoMeaning, failedScript, notPcScript, pcScript, returnedScript, sanUri, type PcBoot } from "./ipxe";

export interface BootRequest {
  peer: string | undefined;
  forwardedFor: string | undefined;
  /** The address the PC reached Cowherd on: where a local storage host's target is, too. */
  localAddress: string | undefined;
}

/** The PC's disk as iPXE names it: its storage host's portal, the target's LUN, its IQN (or another target's, in update mode). */
function disk(rt: Runtime, m: Machine, req: BootRequest, iqn = m.iqn): Omit<PcBoot, "note" | "failedPath"> {
  const host = rt.config.hosts.find((h) => h.name === m.host)!;
  const [address, port] = (host.portal ?? (host.transport === "ssh" ? host.ssh!.host : (normalizeIp(req.localAddress) ?? "127.0.0.1"))).split(":");
  const lun = rt.config.storage.backend === "tgt" ? 1 : 0;
  return {
    name: m.name,
    ip: m.ip,
    host: m.host,
    initiatorIqn: `${rt.config.ipxe.initiatorIqnPrefix}:${m.name}`,
    sanUri: sanUri(address!, Number(port ?? 3260), lun, iqn),
    keepSan: rt.config.ipxe.keepSan,
  };
}

/**
 * GET /boot/ipxe: the calling PC's boot script. Fetching it starts a boot (recorded); a pending
 * "reset at next boot" is carried out first, while nothing uses the disk.
 */
export async function bootScriptFor(rt: Runtime, req: BootRequest): Promise<{ status: number; body: string }> {
  const { addr, machine: m } = callerMachine(rt, req.peer, req.forwardedFor);
  if (!m) return { status: 403, body: notPcScript(addr, rt.config.lanName) };
  const host = await rt.room.service(m.id).get().catch(() => null);
  const sessions = host?.machines.find((s) => s.id === m.id)?.initiators ?? [];
  const bootId = rt.bootTracker.booting(m.id, sessions);
  // Update mode: the PC boots the draft of the next master image version (exported to it only).
  const draft = host?.images?.draft;
  if (draft?.machine === m.id && draft.state === "ready") {
    const pending = rt.boots.pending().has(m.id) ? "its reset at next boot waits until the update is published or discarded" : undefined;
    return { status: 200, body: pcScript({ ...disk(rt, m, req, draft.iqn), failedPath: rt.config.ipxe.failedPath, updateOf: draft.n, ...(pending ? { note: pending } : {}) }) };
  }
  let note: string | undefined;
  const pending = rt.boots.pending().get(m.id);
  if (pending) {
    try {
      const job = await rt.orchestrator.wait(rt.orchestrator.submit([m.id], { source: "boot", requestedBy: pending.requestedBy }).id);
      const r = job.machines[0]!;
      if (r.ok) {
        rt.boots.clearPending(m.id);
        note = "reset to a clean disk first (reset at next boot)";
      } else {
        rt.boots.pendingFailed(m.id, `${r.failedStep}: ${r.error}`);
        note = `the reset asked for this boot failed (${r.failedStep}); booting the disk as it is`;
      }
      if (r.historyId !== null) rt.boots.setReset(bootId, r.historyId);
      rt.audit.record({ actor: m.name, actorKind: "pc", address: addr, action: "reset.boot", target: m.name, outcome: r.ok ? "ok" : "failed", detail: r.ok ? `at next boot, asked by ${pending.requestedBy ?? "?"}` : `${r.failedStep}: ${r.error}` });
    } catch (e) {
      rt.boots.pendingFailed(m.id, errorText(e));
      note = `the reset asked for this boot could not start (${errorText(e)}); booting the disk as it is`;
    }
  }
  return { status: 200, body: pcScript({ ...disk(rt, m, req), failedPath: rt.config.ipxe.failedPath, ...(note ? { note } : {}) }) };
}

/**
 * GET /boot/failed?step=&errno=: the PC's sanboot came back. iPXE's error says whether the booted
 * system ended (it handed control back) or the disk could not be booted; either is recorded, and
 * the answer is what the PC does next.
 */
export function bootFailed(rt: Runtime, req: BootRequest, query: URLSearchParams): { status: number; body: string } {
  const { addr, machine: m } = callerMachine(rt, req.peer, req.forwardedFor);
  if (!m) return { status: 403, body: notPcScript(addr, rt.config.lanName) };
  const raw = query.get("errno") ?? "";
  const errno = /^0x[0-9a-f]{1,8}$/i.test(raw) ? Number.parseInt(raw, 16) : null;
  const step = /^[a-z-]{1,20}$/.test(query.get("step") ?? "") ? query.get("step")! : "sanboot";
  const { returned, meaning } = errno === null ? { returned: false, meaning: "the disk could not be booted" } : errnoMeaning(errno);
  const shown = errno === null ? "unknown" : `0x${errno.toString(16).padStart(8, "0")}`;
  if (returned) {
    rt.bootTracker.ended(m.id, "returned", null, null);
    return { status: 200, body: returnedScript(m.name) };
  }
  rt.bootTracker.ended(m.id, "failed", step, `${shown}: ${meaning}`);
  rt.audit.record({ actor: m.name, actorKind: "pc", address: addr, action: "boot.failed", target: m.name, outcome: "failed", detail: `${step}: ${shown} ${meaning}` });
  return { status: 200, body: failedScript(disk(rt, m, req), shown, meaning, rt.config.ipxe.retrySeconds, rt.config.ipxe.path) };
}
