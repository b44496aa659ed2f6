import type { Config, Machine } from "../../lib/config/schema";
import { snapshotTable } from "../commands/dmsetup";
import type { LoopDevice } from "../commands/losetup";
import { StepError } from "../../lib/host/step-error";
import type { FsPort } from "./fs-port";
import type { HostView } from "./reads";

/** Where a PC's snapshot stands on this host, and what its table must be. */
export interface PcLayout {
  /** The read-only loop of the image version the PC's COW sits on. */
  master: LoopDevice;
  /** That version's number. */
  version: number;
  cow: LoopDevice;
  /** The COW file's inode, as the loop holds it: the only file a reset of this PC may zero. */
  cowIno: number;
  /** "0 <sectors> snapshot <master maj:min> <cow maj:min> <P|PO> <chunk>" */
  table: string;
  sectors: number;
}

/** Which image version files there are, and which one a PC's COW sits on (helper/storage/images.ts). */
export interface Bases {
  /** The version a PC's COW sits on when no table of it is live: its recorded version, else current. */
  baseFor(m: Machine): { n: number; path: string };
  /** The version a file is, or null when it is none. */
  versionAt(file: string): number | null;
}

/** Before there are versions: the configured master is the only one. */
export function masterOnly(config: Config): Bases {
  return { baseFor: () => ({ n: 1, path: config.storage.master }), versionAt: (f) => (f === config.storage.master ? 1 : null) };
}

export function imageLoop(file: string, loops: LoopDevice[]): LoopDevice | undefined {
  return loops.find((l) => l.backFile === file && l.readOnly && !l.deleted);
}

export function cowLoop(m: Machine, loops: LoopDevice[]): LoopDevice | undefined {
  return loops.find((l) => l.backFile === m.cowPath && !l.readOnly);
}

/** The loop still holds the file at `path` itself: not deleted, not renamed, not replaced by another inode. */
function holdsFile(fs: FsPort, loop: LoopDevice, path: string): boolean {
  const st = fs.stat(path);
  return !loop.deleted && loop.backFile === path && !!st && st.ino === loop.backIno;
}

/**
 * Every precondition of building the PC's snapshot, checked before anything is changed: the image
 * version its COW sits on attached read-only and its file still the very inode the loop holds, the
 * COW file likewise, and a live snapshot table (if any) sitting on exactly those two devices. A
 * running PC is judged by the devices its live table uses, so a version or COW renamed, deleted or
 * replaced under it is noticed. Throws a StepError (`step`) that says what is wrong and what to do.
 */
export function layoutOf(config: Config, fs: FsPort, m: Machine, view: HostView, step = "check", bases: Bases = masterOnly(config)): PcLayout {
  const fail = (msg: string): never => {
    throw new StepError(step, msg);
  };
  const live = view.tables.get(m.dmName);
  const [originDev, cowDev] = live?.target === "snapshot" ? live.params.split(" ") : [];
  const byDev = (dev: string | undefined) => (dev ? view.loops.find((l) => l.majMin === dev) : undefined);
  const base = bases.baseFor(m);
  const running = byDev(originDev);
  // A live snapshot's origin names its version (by the file its loop holds); else the PC's base.
  const n = running ? bases.versionAt(running.backFile) : base.n;
  const masterPath = running && n !== null ? running.backFile : base.path;
  // A running loop on a file that is no version (renamed away) is named as the version the PC sits on.
  const shown = n ?? base.n;
  const what = shown === 1 && masterPath === config.storage.master ? `master image ${masterPath}` : `image v${shown} (${masterPath})`;
  const master = running ?? imageLoop(base.path, view.loops);
  if (!master) return fail(`${what} is not attached read-only: run 'cowherd-helper up'`);
  if (n === null || !holdsFile(fs, master, masterPath)) {
    const now = master.deleted ? "a deleted file" : master.backFile === masterPath ? "another inode than the file there now" : master.backFile;
    return fail(
      `${what} was deleted, renamed or replaced while PCs run on it (${master.name} now holds ${now}): put it back, or stop the PCs and run 'cowherd-helper down' and 'up'`,
    );
  }
  const cow = byDev(cowDev) ?? cowLoop(m, view.loops);
  if (!cow) return fail(`COW ${m.cowPath} of ${m.name} is not attached: run 'cowherd-helper up ${m.id}'`);
  if (!holdsFile(fs, cow, m.cowPath)) {
    return fail(
      `COW file ${m.cowPath} of ${m.name} was deleted or replaced while in use (${cow.name} still holds the old one): ${m.name} runs on a disk that no longer has its file; stop it, then 'cowherd-helper down ${m.id}' and 'up ${m.id}' give it a new one`,
    );
  }
  if (originDev && (originDev !== master.majMin || cowDev !== cow.majMin)) {
    return fail(
      `${m.dmName} runs on ${originDev} / ${cowDev}, not on the master ${master.name} (${master.majMin}) and its COW ${cow.name} (${cow.majMin}): refusing to touch it; 'cowherd-helper down ${m.id}' and 'up ${m.id}' rebuild it`,
    );
  }
  const sectors = live?.target === "snapshot" ? live.length : Math.floor(fs.stat(masterPath)!.size / 512);
  return { master, version: n, cow, cowIno: cow.backIno!, sectors, table: snapshotTable(sectors, master.majMin, cow.majMin, m.mode, m.chunkSectors) };
}
