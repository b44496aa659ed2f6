import type { Config, Machine } from "../../lib/config/schema";
import { attempt, type BatchStep, type ResetPlan } from "../../lib/host/reset-run";
import { errorText } from "../../lib/host/step-error";
import type { StepRecord } from "../../lib/host/types";
import type { FsPort } from "./fs-port";
import { snapshotTable } from "../commands/dmsetup";
import type { LoopDevice } from "../commands/losetup";
import { layoutOf, type Bases, type PcLayout } from "./layout";
import type { Journal } from "./journal";
import type { HostReads, HostView } from "./reads";

/**
 * The device-mapper operations a reset needs, each for many devices in one request to the dm worker
 * (no process per device); each answers the devices it failed for, with why.
 */
export interface DmOps {
  /** Replace the table with an error target and resume (dmsetup wipe_table): the snapshot is gone. */
  wipe(devs: { name: string; sectors: number }[]): Promise<Map<string, Error>>;
  /** Load a table into the inactive slot. */
  load(devs: { name: string; table: string }[]): Promise<Map<string, Error>>;
  resume(names: string[]): Promise<Map<string, Error>>;
  /**
   * Drop the table waiting in the inactive slot. Two snapshot tables cannot share one COW unless one
   * of them is live (the kernel's exception-table handover), so a table left there by a killed
   * process must go before the PC's own is loaded.
   */
  clear(names: string[]): Promise<Map<string, Error>>;
}

/** One device's operation, throwing its error (recovery goes device by device). */
async function one(failures: Promise<Map<string, Error>>): Promise<void> {
  const f = await failures;
  for (const e of f.values()) throw e;
}

export interface PlanDeps {
  config: Config;
  fs: FsPort;
  dm: DmOps;
  reads: HostReads;
  journal: Journal;
  /** Makes the /dev/mapper node of a device match the kernel (dmsetup mknodes). */
  nodes(name: string): Promise<void>;
  /** The loop device takes its backing file's size again (losetup --set-capacity). */
  setCapacity(loop: string): Promise<void>;
  machine(id: number): Machine;
  pid: number;
  now(): number;
  /** Which version each PC's COW sits on now. */
  bases: Bases;
  /**
   * The version PCs move to (the current one, attached read-only), or why it cannot be had. Its
   * file must be as large as the PCs' devices (every version is a copy, so it is).
   */
  target: { n: number; loop: LoopDevice | null; sectors: number } | Error;
  /** Records the PCs as sitting on version n (the state file, durably): their COW headers are zeroed. */
  record(ids: number[], n: number): Promise<void> | void;
}

/** For each PC, in turn; failures by PC. */
async function each(ids: number[], fn: (id: number) => Promise<void> | void): Promise<Map<number, unknown>> {
  const failed = new Map<number, unknown>();
  for (const id of ids) {
    try {
      await fn(id);
    } catch (e) {
      failed.set(id, e);
    }
  }
  return failed;
}

/**
 * The reset in place. The dm device and its LUN stay where they are, so the iSCSI target is never
 * touched: `check` verifies every precondition before anything changes; `dm-error` swaps the
 * snapshot for an error table, which destroys the snapshot instance (and its in-memory exception
 * table) and releases the COW; `cow-zero` zeroes the COW file's header (by path, if it is still
 * the inode the loop holds) and cuts a COW that auto-extend grew back to its configured size (the
 * file truncated, its loop's capacity set again — while no snapshot uses it); `dm-load` and `dm-resume` bring the snapshot back, and a snapshot built
 * over a zeroed header starts empty. Measured on the 6.1 kernel: the LUN then reads as the master.
 */
export function inPlaceReset(d: PlanDeps, view: HostView): ResetPlan {
  const layouts = new Map<number, PcLayout>();
  /** PCs whose header is zeroed: a snapshot loaded over it now is a fresh disk (even if cutting the COW back then failed). */
  const zeroed = new Set<number>();
  /** Each PC's snapshot table over the version it moves to. */
  const next = new Map<number, string>();
  const mark = (id: number, step: string) => d.journal.write(id, { pid: d.pid, startedAt: d.now(), step });
  /** A dm step for all PCs at once: one batch of worker requests, no process per PC. */
  const dmStep = (name: string, op: (ms: { m: Machine; l: PcLayout }[]) => Promise<Map<string, Error>>, done?: (id: number) => void): BatchStep => ({
    name,
    run: async (ids) => {
      ids.forEach((id) => mark(id, name));
      const failed = await op(ids.map((id) => ({ m: d.machine(id), l: layouts.get(id)! })));
      const byId = new Map(ids.filter((id) => failed.has(d.machine(id).dmName)).map((id) => [id, failed.get(d.machine(id).dmName)]));
      ids.filter((id) => !byId.has(id)).forEach((id) => done?.(id));
      return byId;
    },
  });
  return {
    steps: [
      {
        name: "check",
        run: (ids) =>
          each(ids, (id) => {
            const m = d.machine(id);
            if (!view.info.has(m.dmName)) throw new Error(`${m.dmName} is not set up: run 'cowherd-helper up ${id}'`);
            const l = layoutOf(d.config, d.fs, m, view, "check", d.bases);
            const t = d.target;
            if (t instanceof Error) throw t;
            // A PC already on the current version is rebuilt over the very loop it runs on.
            const loop = t.n === l.version ? l.master : t.loop;
            if (!loop) throw new Error(`image v${t.n} is not attached read-only: run 'cowherd-helper up'`);
            if (t.n !== l.version && t.sectors !== l.sectors)
              throw new Error(`image v${t.n} has ${t.sectors} sectors but ${m.dmName} has ${l.sectors}: every version must be the same size`);
            layouts.set(id, l);
            next.set(id, snapshotTable(l.sectors, loop.majMin, l.cow.majMin, m.mode, m.chunkSectors));
          }),
      },
      dmStep("dm-error", (ms) => d.dm.wipe(ms.map(({ m, l }) => ({ name: m.dmName, sectors: l.sectors })))),
      {
        name: "cow-zero",
        run: async (ids) => {
          const failed = await each(ids, async (id) => {
            mark(id, "cow-zero");
            const m = d.machine(id);
            const l = layouts.get(id)!;
            d.fs.zeroHeader(m.cowPath, l.cowIno);
            zeroed.add(id);
            // Growth never carries over a reset: the COW goes back to its configured size.
            const bytes = m.cowSizeMiB * 1024 * 1024;
            if ((d.fs.stat(m.cowPath)?.size ?? 0) > bytes) {
              d.fs.shrink(m.cowPath, l.cowIno, bytes);
              await d.setCapacity(l.cow.name);
            }
          });
          // A zeroed header is meaningful over any version: from here on each PC sits on the new one
          // (recorded before its table is, so a crash at any point rebuilds it over the right base).
          const moved = ids.filter((id) => !failed.has(id));
          try {
            if (moved.length) await d.record(moved, (d.target as { n: number }).n);
          } catch (e) {
            moved.forEach((id) => failed.set(id, e));
          }
          return failed;
        },
      },
      dmStep("dm-load", (ms) => d.dm.load(ms.map(({ m }) => ({ name: m.dmName, table: next.get(m.id)! })))),
      // Resumed over its own COW, the PC is consistent again: its journal goes.
      dmStep(
        "dm-resume",
        (ms) => d.dm.resume(ms.map(({ m }) => m.dmName)),
        (id) => d.journal.remove(id),
      ),
    ],
    recover: async (id, failedStep, done) => {
      const m = d.machine(id);
      const records: StepRecord[] = [];
      const l = layouts.get(id);
      // Nothing was changed before dm-error: the PC still runs on its old snapshot.
      if (!l || !done.includes("check") || failedStep === "check") {
        d.journal.remove(id);
        return { records, outcome: "kept-old" as const };
      }
      // Past the header zeroing the PC was recorded on the new version: it comes back fresh over it.
      const moved = done.includes("cow-zero");
      const serving = await ensureSnapshot(d, m, moved ? { ...l, table: next.get(id)! } : l, records);
      if (serving) d.journal.remove(id);
      return { records, outcome: !serving ? ("down" as const) : moved || zeroed.has(id) ? ("fresh" as const) : ("kept-old" as const) };
    },
  };
}

/**
 * The loop's size as the kernel has it (/sys/block/loopN/size, in sectors) differs from its file's:
 * a reset cut the file and stopped before the loop was told. Unknown (no sysfs) counts as equal.
 */
export function loopOutOfStep(fs: FsPort, loop: string, file: string): boolean {
  const sectors = Number(fs.read(`/sys/block/${loop.replace(/^\/dev\//, "")}/size`)?.trim() || NaN);
  const size = fs.stat(file)?.size;
  return Number.isFinite(sectors) && size !== undefined && sectors * 512 !== size;
}

/**
 * Brings a PC whose reset stopped half way back to a live snapshot on its own COW: a snapshot built
 * over an intact header is the old disk, over a zeroed one a fresh disk. Looks afresh first.
 */
export async function ensureSnapshot(
  d: Pick<PlanDeps, "dm" | "reads" | "nodes" | "setCapacity" | "fs">,
  m: Machine,
  l: PcLayout,
  records: StepRecord[],
): Promise<boolean> {
  const look = async () => {
    const [info, tables] = await Promise.all([d.reads.info(), d.reads.tables()]);
    return { i: info.get(m.dmName), t: tables.get(m.dmName) };
  };
  const healthy = ({ i, t }: Awaited<ReturnType<typeof look>>) => !!i && i.live && !i.inactive && !i.suspended && t?.target === "snapshot";
  let now: Awaited<ReturnType<typeof look>> | null = null;
  try {
    now = await look();
    if (healthy(now)) return true;
  } catch (e) {
    records.push({ step: "recover:read", ok: false, ms: 0, error: errorText(e) });
  }
  // Only a live snapshot with nothing waiting behind it is merely resumed. Anything else — no table,
  // an error table, or any table in the inactive slot (an error table a dead reset loaded but never
  // resumed would otherwise go live) — gets the PC's own snapshot table loaded first.
  const onlySuspended = now?.i?.live && !now.i.inactive && now.t?.target === "snapshot";
  if (now?.i?.inactive && !(await attempt(records, "recover:dm-clear", () => one(d.dm.clear([m.dmName]))))) return false;
  // No snapshot uses the COW now: its loop takes the file's size again (a reset may have cut the
  // file and stopped before the loop was told).
  if (!onlySuspended && loopOutOfStep(d.fs, l.cow.name, m.cowPath) && !(await attempt(records, "recover:cow-capacity", () => d.setCapacity(l.cow.name))))
    return false;
  if (!onlySuspended && !(await attempt(records, "recover:dm-load", () => one(d.dm.load([{ name: m.dmName, table: l.table }]))))) return false;
  if (!(await attempt(records, "recover:dm-resume", () => one(d.dm.resume([m.dmName]))))) return false;
  // A device that had no table may have no /dev/mapper node (or one of an older device) without
  // udev; the worker's ioctls do not make nodes, dmsetup mknodes does.
  if (!now?.i?.live) await attempt(records, "recover:dm-node", () => d.nodes(m.dmName));
  return look().then(healthy, () => false);
}
