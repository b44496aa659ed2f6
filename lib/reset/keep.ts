import type { Machine } from "../config/schema";
import { pcIdentity } from "../config/room-identity";
import { errors } from "../api/errors";
import type { BootRepo } from "../db/boots";
import type { KeepMark, KeepRepo } from "../db/keeps";

export type { KeepMark };

/**
 * "Keep a PC's changes": the marks of the configured PCs, by id. They are stored by the PC's
 * identity (name and address), so a config that renumbers the room keeps each mark on its PC and an
 * id handed to another PC does not inherit one.
 */
export class Keeps {
  private readonly byId: Map<number, string>;

  constructor(
    private readonly repo: KeepRepo,
    machines: readonly Machine[],
  ) {
    this.byId = new Map(machines.map((m) => [m.id, pcIdentity(m)]));
  }

  /** The configured PCs that are kept, by id. */
  all(): Map<number, KeepMark> {
    const marks = this.repo.all();
    const out = new Map<number, KeepMark>();
    for (const [id, pc] of this.byId) {
      const mark = marks.get(pc);
      if (mark) out.set(id, mark);
    }
    return out;
  }

  get(id: number): KeepMark | undefined {
    const pc = this.byId.get(id);
    return pc === undefined ? undefined : this.repo.all().get(pc);
  }

  set(id: number, mark: KeepMark): void {
    this.repo.set(this.identity(id), mark);
  }

  clear(id: number): boolean {
    return this.repo.clear(this.identity(id));
  }

  private identity(id: number): string {
    const pc = this.byId.get(id);
    if (pc === undefined) throw errors.notFound(`No machine with id ${id}`);
    return pc;
  }
}

/**
 * The one rule every reset that is not a confirmed single reset follows (bulk, "Reset all before the
 * event", Prepare, reset at next boot, and the scheduler to come): kept PCs are left alone, and the
 * caller says which ones and why.
 */
export function skipKept(keeps: Pick<Keeps, "all">, ids: readonly number[]): { reset: number[]; kept: number[] } {
  const marks = keeps.all();
  return { reset: ids.filter((id) => !marks.has(id)), kept: ids.filter((id) => marks.has(id)) };
}

/**
 * Marks a PC "keep". A reset waiting for its next boot is cancelled with it (the mark says "do not
 * reset this PC": a reset left waiting would fire at the first boot after the mark is removed).
 */
export function keepPc(rt: { keeps: Keeps; boots: Pick<BootRepo, "clearPending"> }, id: number, mark: KeepMark): { cancelledPending: boolean } {
  rt.keeps.set(id, mark);
  return { cancelledPending: rt.boots.clearPending(id) };
}

/** The mark in words: who kept it, and why when said. */
export function keptText(name: string, mark: KeepMark): string {
  return `${name} is kept (its changes are kept across resets${mark.keptBy ? `; marked by ${mark.keptBy}` : ""}${mark.reason ? `: ${mark.reason}` : ""})`;
}

/** The single-PC route's refusal of a kept PC reset without the confirmation. */
export function machineKept(name: string, mark: KeepMark) {
  return errors.conflict(
    "machine-kept",
    `${keptText(name, mark)}: a reset throws away everything written to its disk. Confirm the reset (confirmKept: true), or remove the mark first.`,
  );
}

/** A kept PC is never marked for a reset at its next boot (see the README: that mark would outlive the keep). */
export function keptNextBoot(name: string, mark: KeepMark) {
  return errors.conflict(
    "machine-kept",
    `${keptText(name, mark)}: it cannot be marked for a reset at its next boot. Reset it now (confirmed, and forced if it is up), or remove the mark first.`,
  );
}
