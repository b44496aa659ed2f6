import type { Config, Machine } from "../config/schema";
import type { Initiator } from "../host/types";
import type { Runtime } from "../runtime";
import { errorText } from "../host/step-error";
import { imagesOfGroup } from "../host/images";
import { callerMachine } from "../legacy/handlers";
import { normalizeIp } from "../net/client-address";
import { skipKept } from "../reset/keep";
import { errnoMeaning, failedScript, notPcScript, pcScript, returnedScript, sanUri, type PcBoot } from "./ipxe";

export interface BootRequest {
  peer: string | undefined;
  forwardedFor: string | undefined;
  /** The address the PC reached Cowherd on: where a local storage host's target is, too. */
  localAddress: string | undefined;
  userAgent?: string;
  /** The request carried a browser's `Sec-Fetch-*` header. */
  secFetch?: boolean;
}

/**
 * iPXE says who it is in its User-Agent ("iPXE/1.21.1"); a browser (an `<img src=…/boot/ipxe>` on a
 * page opened on the PC) sends `Sec-Fetch-*` headers with every request. Only iPXE's requests record
 * a boot or run a pending reset: anything else is answered the same script and changes nothing.
 */
export function fromIpxe(req: BootRequest): boolean {
  return /\biPXE\b/.test(req.userAgent ?? "") && !req.secFetch;
}

const NOT_IPXE = "this request is not iPXE's (its User-Agent): no boot recorded, no reset";

/** What the boot routes use of the runtime. */
export type BootDeps = Pick<Runtime, "config" | "room" | "bootTracker" | "boots" | "audit" | "orchestrator" | "keeps">;

/** The PC's disk as iPXE names it: its storage host's portal, the target's LUN, its IQN (or another target's, in update mode). */
function disk(config: Config, m: Machine, req: BootRequest, iqn = m.iqn, gameDraft?: { iqn: string; n: number }): Omit<PcBoot, "note" | "failedPath"> {
  const host = config.hosts.find((h) => h.name === m.host)!;
  const [address, port] = (host.portal ?? (host.transport === "ssh" ? host.ssh!.host : (normalizeIp(req.localAddress) ?? "127.0.0.1"))).split(":");
  // The system disk's LUN (tgt: 1, LUN 0 being its controller; IET/LIO: 0); a game disk is the next one on the PC's target.
  const lun = config.storage.backend === "tgt" ? 1 : 0;
  const uri = (n: number, target: string) => sanUri(address!, Number(port ?? 3260), n, target);
  return {
    name: m.name,
    ip: m.ip,
    host: m.host,
    initiatorIqn: `${config.ipxe.initiatorIqnPrefix}:${m.name}`,
    sanUri: uri(lun, iqn),
    keepSan: config.ipxe.keepSan,
    clearGateway: config.ipxe.clearGateway,
    ...(m.game ? { game: gameDraft ? { sanUri: uri(lun, gameDraft.iqn), updateOf: gameDraft.n } : { sanUri: uri(lun + 1, m.iqn) } } : {}),
  };
}

/**
 * GET /boot/ipxe: the calling PC's boot script. iPXE's fetch starts a boot (recorded; a repeat within
 * a boot is counted on it); a pending "reset at next boot" is carried out first, while nothing uses
 * the disk.
 */
export async function bootScriptFor(rt: BootDeps, req: BootRequest): Promise<{ status: number; body: string }> {
  const { addr, machine: m } = callerMachine(rt.config, req.peer, req.forwardedFor);
  if (!m) return { status: 403, body: notPcScript(addr, rt.config.lanName) };
  const host = await rt.room
    .service(m.id)
    .get()
    .catch(() => null);
  const sessions = host?.machines.find((s) => s.id === m.id)?.initiators ?? [];
  // Update mode: the PC boots the draft of the next master image version (exported to it only).
  const draft = imagesOfGroup(host, m.group, rt.config.groups[0]!.name)?.draft;
  const update = draft?.machine === m.id && draft.state === "ready" ? draft : null;
  // Game disk update mode: the PC boots its own system disk and hooks the game draft in place of its game disk.
  const gDraft = m.game ? imagesOfGroup(host, m.group, rt.config.groups[0]!.name, "game")?.draft : undefined;
  const gameUpdate = gDraft?.machine === m.id && gDraft.state === "ready" ? { iqn: gDraft.iqn, n: gDraft.n } : undefined;
  let note: string | undefined;
  if (!fromIpxe(req)) note = NOT_IPXE;
  else {
    const boot = rt.bootTracker.booting(m.id, sessions);
    if (update || gameUpdate) note = rt.boots.pending().has(m.id) ? "its reset at next boot waits until the update is published or discarded" : undefined;
    else if (!boot.repeat) note = await pendingReset(rt, m, addr, boot.bootId, sessions);
  }
  const target = update ? { ...disk(rt.config, m, req, update.iqn, gameUpdate), updateOf: update.n } : disk(rt.config, m, req, m.iqn, gameUpdate);
  return { status: 200, body: pcScript({ ...target, failedPath: rt.config.ipxe.failedPath, ...(note ? { note } : {}) }) };
}

/**
 * A pending "reset at next boot", carried out at the start of a boot, when the PC has no open
 * session (the ones listed as its boot began are its previous life's, left in the target). The
 * answer is the line for the PC's screen.
 */
async function pendingReset(
  rt: Pick<BootDeps, "boots" | "bootTracker" | "audit" | "orchestrator" | "keeps">,
  m: Machine,
  addr: string | null,
  bootId: number,
  sessions: readonly Initiator[],
): Promise<string | undefined> {
  const pending = rt.boots.pending().get(m.id);
  if (!pending) return undefined;
  // Keeping a PC cancels its mark (lib/reset/keep.ts); one left from before is dropped here, said.
  if (skipKept(rt.keeps, [m.id]).kept.length) {
    rt.boots.clearPending(m.id);
    rt.audit.record({
      actor: m.name,
      actorKind: "pc",
      address: addr,
      action: "reset.boot",
      target: m.name,
      outcome: "denied",
      detail: `kept: the reset at next boot asked by ${pending.requestedBy ?? "?"} is cancelled`,
    });
    return "it is kept (its changes are kept): its reset at next boot is cancelled; booting the disk as it is";
  }
  const open = rt.bootTracker.openSessions(m.id, sessions);
  if (open.length) {
    const who = open.map((s) => `${s.iqn}${s.ip ? ` from ${s.ip}` : ""}`).join(", ");
    rt.boots.pendingFailed(m.id, `its disk is in use (${who}): the reset waits for a boot with no open session`);
    rt.audit.recordRepeated({
      actor: m.name,
      actorKind: "pc",
      address: addr,
      action: "reset.boot",
      target: m.name,
      outcome: "denied",
      detail: `disk in use by ${who}`,
    });
    return "its reset at next boot waits: its disk is in use by another session; booting the disk as it is";
  }
  try {
    const job = await rt.orchestrator.wait(rt.orchestrator.submit([m.id], { source: "boot", requestedBy: pending.requestedBy }).id);
    const r = job.machines[0]!;
    if (r.ok) rt.boots.clearPending(m.id);
    else rt.boots.pendingFailed(m.id, `${r.failedStep}: ${r.error}`);
    if (r.historyId !== null) rt.boots.setReset(bootId, r.historyId);
    rt.audit.record({
      actor: m.name,
      actorKind: "pc",
      address: addr,
      action: "reset.boot",
      target: m.name,
      outcome: r.ok ? "ok" : "failed",
      detail: r.ok ? `at next boot, asked by ${pending.requestedBy ?? "?"}` : `${r.failedStep}: ${r.error}`,
    });
    return r.ok ? "reset to a clean disk first (reset at next boot)" : `the reset asked for this boot failed (${r.failedStep}); booting the disk as it is`;
  } catch (e) {
    rt.boots.pendingFailed(m.id, errorText(e));
    return `the reset asked for this boot could not start (${errorText(e)}); booting the disk as it is`;
  }
}

/**
 * GET /boot/failed?step=&errno=: the PC's sanboot came back. iPXE's error says whether the booted
 * system ended (it handed control back) or the disk could not be booted; either is recorded, and
 * the answer is what the PC does next.
 */
export function bootFailed(rt: Pick<BootDeps, "config" | "bootTracker" | "audit">, req: BootRequest, query: URLSearchParams): { status: number; body: string } {
  const { addr, machine: m } = callerMachine(rt.config, req.peer, req.forwardedFor);
  if (!m) return { status: 403, body: notPcScript(addr, rt.config.lanName) };
  const raw = query.get("errno") ?? "";
  const errno = /^0x[0-9a-f]{1,8}$/i.test(raw) ? Number.parseInt(raw, 16) : null;
  const step = /^[a-z-]{1,20}$/.test(query.get("step") ?? "") ? query.get("step")! : "sanboot";
  const { returned, meaning } = errno === null ? { returned: false, meaning: "the disk could not be booted" } : errnoMeaning(errno);
  const shown = errno === null ? "unknown" : `0x${errno.toString(16).padStart(8, "0")}`;
  // Anything but iPXE is answered the same and changes nothing (see fromIpxe).
  const ipxe = fromIpxe(req);
  if (returned) {
    if (ipxe) rt.bootTracker.ended(m.id, "returned", null, null);
    return { status: 200, body: returnedScript(m.name) };
  }
  if (ipxe) {
    rt.bootTracker.ended(m.id, "failed", step, `${shown}: ${meaning}`);
    // A PC can repeat this at will: once per source per minute, the rest counted (lib/db/audit.ts).
    rt.audit.recordRepeated({
      actor: m.name,
      actorKind: "pc",
      address: addr,
      action: "boot.failed",
      target: m.name,
      outcome: "failed",
      detail: `${step}: ${shown} ${meaning}`,
    });
  }
  return { status: 200, body: failedScript(disk(rt.config, m, req), shown, meaning, rt.config.ipxe.retrySeconds, rt.config.ipxe.path) };
}
