import type { DiskKind } from "../config/schema";
import type { ResetSource } from "../constants";
import { errors } from "../api/errors";
import type { BootRepo } from "../db/boots";
import type { Runtime } from "../runtime";
import type { ResetJob } from "./jobs";
import { keptNextBoot, skipKept } from "./keep";

/**
 * What to do with a PC that is up (booting, or its iSCSI session open): a reset now pulls the disk
 * from under a running Windows, which crashes it.
 *  - refuse: the PC is left alone and listed in `online` (the single-PC route then answers 409
 *    machine-online; a bulk request never does, however many PCs it names)
 *  - next-boot: the PC is marked, and its boot script resets it before it boots again
 *  - force: reset it now anyway
 */
export const WHEN_ONLINE = ["refuse", "next-boot", "force"] as const;
export type WhenOnline = (typeof WHEN_ONLINE)[number];

export interface ResetAnswer {
  /** The reset job for the PCs reset now (null when there are none). */
  job: ResetJob | null;
  /** PCs marked to be reset at their next boot. */
  nextBoot: number[];
  /** PCs left alone because they are up. */
  online: number[];
  /** PCs left alone because they are kept (an admin's "keep" mark: lib/reset/keep.ts). */
  kept: number[];
}

/**
 * A reset request as the API and the dashboard make it: kept PCs left alone (listed in `kept`)
 * unless `confirmKept` (the single-PC route, once the admin confirmed), PCs that are up handled as
 * asked. A kept PC is never marked for its next boot: that is refused, and nothing happens.
 */
export function requestResets(
  rt: Pick<Runtime, "orchestrator" | "bootTracker" | "boots" | "keeps">,
  ids: number[],
  req: { source: ResetSource; requestedBy: string | null; whenOnline: WhenOnline; confirmKept?: boolean; disk?: DiskKind },
): ResetAnswer {
  const unique = [...new Set(ids)];
  unique.forEach((id) => rt.orchestrator.machine(id)); // unknown ids: nothing happens
  // A mark for the next boot resets every disk of the PC: one disk's reset is now or not at all.
  if (req.disk && req.whenOnline === "next-boot")
    throw errors.badRequest(
      `A reset of the ${req.disk} disk only cannot wait for the next boot (that resets every disk): reset it now once the PC is off, or force it`,
    );
  const noGame = req.disk === "game" ? unique.filter((id) => !rt.orchestrator.machine(id).game).map((id) => rt.orchestrator.machine(id).name) : [];
  if (noGame.length)
    throw errors.badRequest(
      `${noGame.join(", ")} ${noGame.length === 1 ? "has" : "have"} no game disk (only a group with gameDisk has one): nothing was reset`,
    );
  const { reset: asked, kept } = req.confirmKept ? { reset: unique, kept: [] } : skipKept(rt.keeps, unique);
  const up = req.whenOnline === "force" ? [] : asked.filter((id) => rt.bootTracker.isUp(id));
  const now = asked.filter((id) => !up.includes(id));
  const nextBoot = req.whenOnline === "next-boot" ? up : [];
  for (const id of nextBoot) {
    const mark = rt.keeps.get(id);
    if (mark) throw keptNextBoot(rt.orchestrator.machine(id).name, mark);
  }
  for (const id of nextBoot) rt.boots.setPending(id, req.requestedBy, Date.now());
  const job = now.length
    ? rt.orchestrator.submit(now, {
        source: req.source,
        requestedBy: req.requestedBy,
        force: req.whenOnline === "force",
        ...(req.disk ? { disk: req.disk } : {}),
      })
    : null;
  return { job, nextBoot, online: req.whenOnline === "refuse" ? up : [], kept };
}

/** The single-PC route's refusal of a PC that is up (a bulk request lists it in `online` instead). */
export function machineOnline(name: string) {
  return errors.conflict(
    "machine-online",
    `${name} is running (its iSCSI session is open): resetting it now would crash it. Reset it at its next boot instead (its boot script resets it before it starts), or, if nobody is using it, force the reset.`,
  );
}

/**
 * After a reset that brought the PC back with a fresh disk: its "reset at next boot" mark has been
 * carried out, so it goes — unless it was made while that reset was already running (it asks for
 * another one).
 */
export function clearNextBootMark(boots: Pick<BootRepo, "pending" | "clearPending">, machineId: number, resetStartedAt: number): void {
  const mark = boots.pending().get(machineId);
  if (mark && mark.requestedAt <= resetStartedAt) boots.clearPending(machineId);
}
