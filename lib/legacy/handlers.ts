import type { Config, Machine } from "../config/schema";
import type { Runtime } from "../runtime";
import { AppError } from "../api/errors";
import { errorText } from "../host/step-error";
import { gpxeScript } from "../boot/gpxe";
import { LEGACY, legacyStatusBody } from "./cgi";
import { clientAddress, machineIndex } from "../net/client-address";
import { skipKept } from "../reset/keep";

const indexes = new WeakMap<object, Map<string, Machine>>();

/** The PC behind this connection, by its configured IP; X-Forwarded-For only via trusted proxies. */
export function callerMachine(config: Config, peer: string | undefined, forwardedFor: string | undefined): { addr: string | null; machine?: Machine } {
  let index = indexes.get(config);
  if (!index) indexes.set(config, (index = machineIndex(config.machines)));
  const addr = clientAddress(peer, forwardedFor, config.legacy.trustedProxies);
  return { addr, machine: addr ? index.get(addr) : undefined };
}

/** CowBell's status answer for the caller's own PC, byte for byte as the 2010 CGI. */
export async function legacyStatus(rt: Pick<Runtime, "config" | "room">, peer: string | undefined, forwardedFor: string | undefined): Promise<string> {
  const { machine } = callerMachine(rt.config, peer, forwardedFor);
  if (!machine) return LEGACY.notMachine;
  try {
    return legacyStatusBody(await rt.room.machine(machine.id));
  } catch {
    return LEGACY.noNumbers;
  }
}

/** The boot-time self-reset: resets the caller's own PC and answers with a gPXE script. */
export async function bootReset(
  rt: Pick<Runtime, "config" | "history" | "audit" | "orchestrator" | "keeps">,
  peer: string | undefined,
  forwardedFor: string | undefined,
): Promise<{ status: number; body: string }> {
  const cfg = rt.config.boot;
  if (!cfg.enabled) return { status: 404, body: gpxeScript.error("self-reset is disabled on this server") };
  const { addr, machine } = callerMachine(rt.config, peer, forwardedFor);
  if (!machine) return { status: 403, body: gpxeScript.error("Not a RetroLAN Machine") };
  // A kept PC keeps its changes across boots: refused like a reset too soon, and its old disk boots.
  if (skipKept(rt.keeps, [machine.id]).kept.length) {
    rt.audit.recordRepeated({
      actor: machine.name,
      actorKind: "pc",
      address: addr,
      action: "reset.boot",
      target: machine.name,
      outcome: "denied",
      detail: "kept",
    });
    return { status: 409, body: gpxeScript.error(`${machine.name} is kept (its changes are kept): not resetting it`) };
  }
  const last = rt.history.lastBySource(machine.id, "legacy");
  const ago = last ? Math.floor((Date.now() - last.startedAt) / 1000) : Infinity;
  if (ago < cfg.minIntervalSeconds) {
    rt.audit.recordRepeated({
      actor: machine.name,
      actorKind: "pc",
      address: addr,
      action: "reset.boot",
      target: machine.name,
      outcome: "denied",
      detail: `rate limited (${ago} s since last)`,
    });
    return { status: 429, body: gpxeScript.error(`${machine.name} was reset ${ago} s ago; not resetting again yet`) };
  }
  const audit = (outcome: "ok" | "failed" | "denied", detail: string | null) =>
    rt.audit.record({ actor: machine.name, actorKind: "pc", address: addr, action: "reset.boot", target: machine.name, outcome, detail });
  try {
    const job = await rt.orchestrator.wait(rt.orchestrator.submit([machine.id], { source: "legacy", requestedBy: addr }).id);
    const r = job.machines[0]!;
    audit(r.ok ? "ok" : "failed", r.ok ? null : `${r.failedStep}: ${r.error}`);
    if (r.ok) return { status: 200, body: gpxeScript.reset(machine.name, cfg.rebootImageUrl) };
    return { status: 500, body: gpxeScript.error(`reset of ${machine.name} failed at ${r.failedStep}`) };
  } catch (e) {
    audit("failed", errorText(e));
    return { status: e instanceof AppError ? e.status : 500, body: gpxeScript.error(errorText(e)) };
  }
}
