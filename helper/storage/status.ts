import type { Config } from "../../lib/config/schema";
import { exportedFor, type IscsiBackend } from "../iscsi/backend";
import { errorText } from "../../lib/host/step-error";
import type { MachineHostStatus } from "../../lib/host/types";
import type { HostImages } from "../../lib/host/images";
import type { StorageContext } from "./context";
import type { FsPort } from "./fs-port";
import type { ImageState } from "./image-state";
import type { Images } from "./images";
import { layoutOf, type Bases } from "./layout";
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
  const sitsOn = new Map(lines.flatMap((l) => [...l.images.sitsOn(l.state, view)]));
  // An update PC's session is on its group's update target: it is up all the same.
  const updates = new Map(
    lines.flatMap(({ images, state }) =>
      state.draft && state.draft.state !== "copying" ? [[state.draft.machine, view.iscsi.get(images.lineage.update.iqn)?.initiators ?? []] as const] : [],
    ),
  );
  return config.machines.map((m) => {
    const dev = view.status.get(m.dmName);
    const info = view.info.get(m.dmName);
    const target = view.iscsi.get(m.iqn);
    let problem = resetting.has(m.id) ? null : halfState(view, m.dmName, fs);
    // The target daemon down: every PC has lost its disk (and none can boot), whatever its numbers.
    if (!problem && view.iscsiError && info)
      problem = `the iSCSI target does not answer (${view.iscsiError}): no PC can reach its disk or boot; start it (systemctl start ${SERVICE[backend.name]}), then 'cowherd-helper repair' exports the LUNs again`;
    if (!problem && info) {
      try {
        layoutOf(config, fs, m, view, "status", bases);
      } catch (e) {
        problem = errorText(e);
      }
    }
    // A LUN an initiator can use, but with the target's own serial (a kill between adding the LUN and
    // setting its identity, or a LUN added by hand): Windows would meet a new disk at its next boot.
    const shown = target?.luns.has(backend.lun) ? target.serials?.get(backend.lun) : undefined;
    const identity = of.get(m.group)!.images.lineage.identity;
    if (!problem && shown !== undefined && shown !== identity.serial)
      problem = `its LUN shows SCSI serial ${shown}, not the system disk's ${identity.serial}: Windows takes it for a new disk and may not boot; run 'cowherd-helper repair' (a reset sets it too)`;
    const initiators = [...(target?.initiators ?? []), ...(updates.get(m.id) ?? [])];
    const version = sitsOn.get(m.id);
    const base = {
      id: m.id,
      online: initiators.length > 0,
      initiators,
      ...(version !== undefined ? { version } : {}),
      // Exported only when an initiator could log in: the target, bound, with its LUN.
      exported: exportedFor(backend, { allow: config.storage.access === "all" ? "ALL" : m.ip }, target),
      suspended: info?.suspended ?? false,
      ...(problem ? { problem } : {}),
    };
    if (!info) return { ...base, state: "missing" as const };
    // A device with no snapshot live (no table, an error table mid-reset): no numbers to show.
    if (!dev?.snapshot) return { ...base, state: "unknown" as const };
    return { ...base, ...dev.snapshot };
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
    const error = broken.get(c.machine(m.id).group);
    return error ? { ...m, problem: `the image versions' state cannot be read: ${error}` } : m;
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
