import type { Config, Machine } from "../../lib/config/schema";
import { exportedFor, type IscsiBackend } from "../iscsi/backend";
import { errorText } from "../../lib/host/step-error";
import type { DiskHostStatus, Initiator, MachineHostStatus } from "../../lib/host/types";
import type { HostImages } from "../../lib/host/images";
import type { StorageContext } from "./context";
import type { FsPort } from "./fs-port";
import type { ImageState } from "./image-state";
import type { Images } from "./images";
import { layoutOf, type Bases } from "./layout";
import { diskOf, type PcDisk } from "./lineage";
import type { HostView } from "./reads";

/** Debian's service for each target. */
export const SERVICE: Record<IscsiBackend["name"], string> = { tgt: "tgt", lio: "rtslib-fb-targetctl", iet: "iscsitarget" };

/** A half state a dead process (or a kill) can leave a device in, in words; null when none. */
function halfState(view: HostView, dmName: string, fs: FsPort): string | null {
  const i = view.info.get(dmName);
  if (!i) return null;
  // No table is the deeper fault (a kill inside `dmsetup create` leaves no node either): name it first.
  if (!i.live && !i.inactive) return "the device has no table (a setup was killed half way): run 'cowherd-helper repair'";
  if (!fs.exists(`/dev/mapper/${dmName}`)) return "the device has no /dev/mapper node (a setup was killed half way, or no udev): run 'cowherd-helper repair'";
  if (!i.live) return "a table was loaded but never made live: run 'cowherd-helper repair'";
  if (view.tables.get(dmName)?.target === "error") return "an error table is live (a reset stopped half way): run 'cowherd-helper repair'";
  if (i.inactive) return "a table waits in the inactive slot (a reload was never finished): run 'cowherd-helper repair'";
  return null;
}

/**
 * Every configured PC's state from one look at the host. Reads only. `resetting`: PCs a live
 * process is resetting right now (its journal, its lock): their passing error table is no fault.
 */
export function statusOf(
  config: Config,
  backend: IscsiBackend,
  view: HostView,
  fs: FsPort,
  lines: readonly { images: Images; state: ImageState }[],
  resetting: ReadonlySet<number> = new Set(),
): MachineHostStatus[] {
  const of = new Map(lines.map((l) => [l.images.lineage.key, l]));
  const basesOf = new Map(lines.map((l) => [l.images.lineage.key, l.images.bases(l.state)]));
  // A group's PC is checked against its own group's versions; a loop is whichever group's version it is.
  const bases: Bases = {
    baseFor: (m) => basesOf.get(m.group)!.baseFor(m),
    versionAt: (file) => [...basesOf.values()].map((b) => b.versionAt(file)).find((n) => n !== null) ?? null,
  };
  // The version each disk sits on, by line.
  const sitsOn = new Map(lines.map((l) => [l.images.lineage.key, l.images.sitsOn(l.state, view)]));
  // An update PC's session is on its group's update target (its system or game disk's): it is up all the same.
  const updates = new Map<number, Initiator[]>();
  for (const { images, state } of lines)
    if (state.draft && state.draft.state !== "copying")
      updates.set(state.draft.machine, [...(updates.get(state.draft.machine) ?? []), ...(view.iscsi.get(images.lineage.update.iqn)?.initiators ?? [])]);
  const allow = (m: Machine) => (config.storage.access === "all" ? "ALL" : m.ip);
  /** One disk's numbers, state and problem: the same reads for the system disk and the game disk. */
  const diskStatus = (m: Machine, d: PcDisk): DiskHostStatus => {
    const dev = view.status.get(d.dmName);
    const info = view.info.get(d.dmName);
    const target = view.iscsi.get(m.iqn);
    const lun = d.disk === "game" ? backend.lun + 1 : backend.lun;
    let problem = resetting.has(m.id) ? null : halfState(view, d.dmName, fs);
    // The target daemon down: every PC has lost its disk (and none can boot), whatever its numbers.
    if (!problem && view.iscsiError && info)
      problem = `the iSCSI target does not answer (${view.iscsiError}): no PC can reach its disk or boot; start it (systemctl start ${SERVICE[backend.name]}), then 'cowherd-helper repair' exports the LUNs again`;
    if (!problem && info) {
      try {
        layoutOf(config, fs, d, view, "status", bases);
      } catch (e) {
        problem = errorText(e);
      }
    }
    // A LUN an initiator can use, but with the target's own serial (a kill between adding the LUN and
    // setting its identity, or a LUN added by hand): Windows would meet a new disk at its next boot.
    const shown = target?.luns.has(lun) ? target.serials?.get(lun) : undefined;
    const identity = of.get(d.group)!.images.lineage.identity;
    const which = d.disk === "game" ? "game disk" : "system disk";
    if (!problem && shown !== undefined && shown !== identity.serial)
      problem = `its ${d.disk === "game" ? "game disk's " : ""}LUN shows SCSI serial ${shown}, not the ${which}'s ${identity.serial}: Windows takes it for a new disk and may not boot; run 'cowherd-helper repair' (a reset sets it too)`;
    const version = sitsOn.get(d.group)?.get(m.id);
    const base = {
      ...(version !== undefined ? { version } : {}),
      // Exported only when an initiator could log in: the target, bound, with its LUN.
      exported: exportedFor(backend, { allow: allow(m), ...(d.disk === "game" ? { lun } : {}) }, target),
      suspended: info?.suspended ?? false,
      ...(problem ? { problem } : {}),
    };
    if (!info) return { ...base, state: "missing" as const };
    // A device with no snapshot live (no table, an error table mid-reset): no numbers to show.
    if (!dev?.snapshot) return { ...base, state: "unknown" as const };
    return { ...base, ...dev.snapshot };
  };
  return config.machines.map((m) => {
    const target = view.iscsi.get(m.iqn);
    const initiators = [...(target?.initiators ?? []), ...(updates.get(m.id) ?? [])];
    const game = diskOf(m, "game");
    const { version, problem, exported, suspended, ...sys } = diskStatus(m, diskOf(m, "system")!);
    // Keys in the order status has always had them; the game disk's after.
    return {
      id: m.id,
      online: initiators.length > 0,
      initiators,
      ...(version !== undefined ? { version } : {}),
      exported,
      suspended,
      ...(problem ? { problem } : {}),
      ...sys,
      ...(game ? { game: diskStatus(m, game) } : {}),
    };
  });
}

/** The `status` verb: every PC's state and the image versions, from one look at the host. Reads only. */
export async function readStatus(c: StorageContext): Promise<{ machines: MachineHostStatus[]; images?: HostImages; groups?: HostImages[] }> {
  const view = await c.reads.view("reported");
  const lines = c.allImages.map((images) => ({ images, ...images.loadForRead() }));
  const machines = statusOf(
    c.config,
    c.backend,
    view,
    c.fs,
    lines.map(({ images, s }) => ({ images, state: s })),
    resetting(c),
  );
  // Without a group's image state nobody can tell which version its PCs sit on: each says so, its
  // numbers still come (usage, alerts and auto-extend go on), and no versions are claimed.
  const broken = new Map(lines.filter((l) => l.error).map((l) => [l.images.lineage.key, l.error]));
  const said = machines.map((m) => {
    const pc = c.machine(m.id);
    const error = broken.get(pc.group);
    const gameError = m.game && broken.get(diskOf(pc, "game")!.group);
    const out = gameError ? { ...m, game: { ...m.game!, problem: `the game disk's image versions' state cannot be read: ${gameError}` } } : m;
    return error ? { ...out, problem: `the image versions' state cannot be read: ${error}` } : out;
  });
  const groups = lines.filter((l) => !l.error).map((l) => l.images.report(l.s, view));
  const first = lines[0]!;
  // `images` stays the first group's, as before groups; `groups` has every group's that can be read.
  return { machines: said, ...(first.error ? {} : { images: groups[0]! }), groups };
}

/**
 * PCs a live process is resetting now: a journal naming this process while it holds the PC's
 * lock, or another process that is still running. A journal of a dead process is a fault to repair.
 */
function resetting(c: StorageContext): Set<number> {
  return new Set(
    c.journal.list().filter((id) => {
      const pid = c.journal.read(id)?.pid ?? 0;
      return pid > 0 && (pid === c.pid ? c.locks.heldHere(id) : c.fs.exists(`/proc/${pid}`));
    }),
  );
}
