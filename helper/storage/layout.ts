import type { Config, Machine } from "../../lib/config/schema";
import { snapshotTable } from "../../lib/host/commands/dmsetup";
import type { LoopDevice } from "../../lib/host/commands/losetup";
import { StepError } from "../../lib/host/step-error";
import type { FsPort } from "./fs-port";
import type { HostView } from "./reads";

/** Where a PC's snapshot stands on this host, and what its table must be. */
export interface PcLayout {
  master: LoopDevice;
  cow: LoopDevice;
  /** The COW file's inode, as the loop holds it: the only file a reset of this PC may zero. */
  cowIno: number;
  /** "0 <sectors> snapshot <master maj:min> <cow maj:min> <P|PO> <chunk>" */
  table: string;
  sectors: number;
}

export function masterLoop(config: Config, loops: LoopDevice[]): LoopDevice | undefined {
  return loops.find((l) => l.backFile === config.storage.master && l.readOnly);
}

export function cowLoop(m: Machine, loops: LoopDevice[]): LoopDevice | undefined {
  return loops.find((l) => l.backFile === m.cowPath && !l.readOnly);
}

/**
 * Every precondition of building the PC's snapshot, checked before anything is changed: the master
 * attached read-only and its file still the very inode the loop holds, the COW file likewise, and
 * a live snapshot table (if any) sitting on exactly those two devices. Throws a StepError("check")
 * that says what is wrong and what to do.
 */
export function layoutOf(config: Config, fs: FsPort, m: Machine, view: HostView, step = "check"): PcLayout {
  const fail = (msg: string) => {
    throw new StepError(step, msg);
  };
  const masterPath = config.storage.master;
  const master = masterLoop(config, view.loops) ?? view.loops.find((l) => l.backFile === masterPath && l.deleted);
  if (!master) return fail(`master image ${masterPath} is not attached read-only: run 'cowherd-helper up'`);
  const masterFile = fs.stat(masterPath);
  if (master.deleted || !masterFile || masterFile.ino !== master.backIno) {
    return fail(`master image ${masterPath} was deleted or replaced while attached (${master.name} still holds the old one): put it back, or stop the PCs and run 'cowherd-helper down' and 'up'`);
  }
  const cow = cowLoop(m, view.loops) ?? view.loops.find((l) => l.backFile === m.cowPath && l.deleted);
  if (!cow) return fail(`COW ${m.cowPath} of ${m.name} is not attached: run 'cowherd-helper up ${m.id}'`);
  const cowFile = fs.stat(m.cowPath);
  if (cow.deleted || !cowFile || cowFile.ino !== cow.backIno) {
    return fail(`COW file ${m.cowPath} of ${m.name} was deleted or replaced while in use (${cow.name} still holds the old one): ${m.name} is running on a disk that no longer has a file; stop it, then 'cowherd-helper down ${m.id}' and 'up ${m.id}'`);
  }
  const live = view.tables.get(m.dmName);
  let sectors = Math.floor(masterFile.size / 512);
  if (live?.target === "snapshot") {
    const [origin, cowDev] = live.params.split(" ");
    if (origin !== master.majMin || cowDev !== cow.majMin) {
      return fail(`${m.dmName} runs on ${origin} / ${cowDev}, not on the master ${master.name} (${master.majMin}) and its COW ${cow.name} (${cow.majMin}): refusing to touch it; 'cowherd-helper down ${m.id}' and 'up ${m.id}' rebuild it`);
    }
    sectors = live.length;
  }
  return { master, cow, cowIno: cowFile.ino, sectors, table: snapshotTable(sectors, master.majMin, cow.majMin, m.mode, m.chunkSectors) };
}
