/**
 * Setting PCs up and taking them down (`up`, `down`), and bringing back what a kill left half done
 * (`repair`; a reset and `up` repair their PCs first too). Callers of repairHalfDone hold the PCs'
 * locks; the verbs take them.
 */
import type { Machine } from "../../lib/config/schema";
import type { PcResult } from "../../lib/host/protocol";
import { StepError, errorText, stepOf } from "../../lib/host/step-error";
import type { StepRecord } from "../../lib/host/types";
import { check } from "../commands/command";
import { dmsetup } from "../commands/dmsetup";
import { losetup } from "../commands/losetup";
import { allocate } from "../commands/misc";
import { exportSteps, exportedFor, exportedTarget, lunOf } from "../iscsi/backend";
import { MiB, type StorageContext } from "./context";
import { currentVersion, version, type ImageState } from "./image-state";
import { layoutOf, type Bases } from "./layout";
import { disksOf, kindOf, onDisk, type PcDisk } from "./lineage";
import { IMAGE_LOCK } from "./locks";
import type { HostView } from "./reads";
import { ensureSnapshot } from "./reset-plan";
import { ensureSpace } from "./space";

/**
 * Whatever of the PC's target, binding and LUNs is missing, made (see exportSteps), for each of its
 * disks that has a device: the system disk first (it makes the target and its binding), then the
 * game disk's LUN on that same target. Game actions carry a "game:" prefix.
 */
async function exportPc(c: StorageContext, m: Machine, view: HostView, disks = disksOf(m).filter((d) => view.info.has(d.dmName))): Promise<string[]> {
  const done: string[] = [];
  let t = view.iscsi.get(m.iqn);
  for (const d of disks) {
    const spec = c.spec(d);
    for (const step of exportSteps(c.backend, spec, t)) {
      await c.runAll(step.cmds);
      done.push(onDisk(d, step.action));
    }
    t = exportedTarget(c.backend, spec, t);
  }
  return done;
}

/**
 * PCs a dead process left half done (a journal), or whose device is in a half state (no table,
 * an error table, a table loaded but never resumed, suspended, no /dev/mapper node): back to a
 * live snapshot on their own COW, with its node; and every PC with a device whose export is
 * incomplete (no target, a target never bound, no LUN, a LUN without the PC's SCSI identity: a kill
 * during `up`) exported, when the target can be read. Takes no lock: callers hold them. Lists only PCs where something was done.
 */
export async function repairHalfDone(c: StorageContext, ids: readonly number[], view: HostView): Promise<PcResult[]> {
  const journaled = new Set(c.journal.list());
  const out: PcResult[] = [];
  for (const id of ids) {
    const m = c.machine(id);
    const disks = disksOf(m);
    const halfOf = (d: PcDisk) => {
      const info = view.info.get(d.dmName);
      const noNode = !!info && !c.fs.exists(c.spec(d).device);
      return !!info && (!info.live || info.inactive || info.suspended || view.tables.get(d.dmName)?.target !== "snapshot" || noNode);
    };
    const unexportedOf = (d: PcDisk) => view.info.has(d.dmName) && !view.iscsiError && !exportedFor(c.backend, c.spec(d), view.iscsi.get(m.iqn));
    const half = disks.filter(halfOf);
    const legacyJournal = c.fs.exists(`${c.stateDir}/reset-${id}.pid`); // helper 1.x
    const unexported = disks.some(unexportedOf);
    if (!half.length && !unexported && !journaled.has(id) && !legacyJournal) continue;
    const actions: string[] = [];
    try {
      let bases: Bases | null = null;
      for (const d of half) {
        const records: StepRecord[] = [];
        bases ??= c.bases();
        const ok = await ensureSnapshot(c.planDeps(), d, layoutOf(c.config, c.fs, d, view, "repair", bases), records);
        actions.push(...records.filter((r) => r.ok).map((r) => onDisk(d, r.step.replace(/^recover:/, ""))));
        if (!ok)
          throw new StepError(
            onDisk(d, "repair"),
            records
              .filter((r) => !r.ok)
              .map((r) => r.error)
              .pop() ?? "the snapshot did not come back",
          );
        // A device live all along can still lack its node (dmsetup create killed after the kernel
        // made it, no udev): without it the target cannot open the disk.
        if (!c.fs.exists(c.spec(d).device)) {
          await c.nodes(d.dmName);
          actions.push(onDisk(d, "dm-node"));
        }
      }
      if (!view.iscsiError) actions.push(...(await exportPc(c, m, view)));
      c.journal.remove(id);
      if (legacyJournal) c.fs.remove(`${c.stateDir}/reset-${id}.pid`);
      out.push({ id, ok: true, actions });
    } catch (e) {
      out.push({ id, ok: false, actions, step: stepOf(e, "repair"), error: errorText(e) });
    }
  }
  return out;
}

/**
 * Half states (see repairHalfDone), then every PC whose device is there but whose LUN is not
 * (tgtd restarted, a kill during up) exported again. PCs that are not set up stay that way: that
 * is `up`'s job.
 */
export async function repair(c: StorageContext, ids: number[]): Promise<PcResult[]> {
  return c.locks.with(ids, async () => {
    // The image versions first (a draft of a dead copy, a publish half done): id 0 in the results.
    const imageResult: PcResult[] = [];
    try {
      const actions: string[] = [];
      await c.locks.with([IMAGE_LOCK], async () => {
        for (const images of c.allImages) actions.push(...(await images.repair()));
      });
      if (actions.length) imageResult.push({ id: 0, ok: true, actions });
    } catch (e) {
      imageResult.push({ id: 0, ok: false, actions: [], step: stepOf(e, "images"), error: errorText(e) });
    }
    const results = new Map((await repairHalfDone(c, ids, await c.reads.view())).map((r) => [r.id, r]));
    const view = await c.reads.view();
    for (const id of ids) {
      const m = c.machine(id);
      const r = results.get(id) ?? { id, ok: true, actions: [] };
      if (r.ok && disksOf(m).some((d) => view.info.has(d.dmName))) {
        try {
          r.actions.push(...(await exportPc(c, m, view)));
        } catch (e) {
          Object.assign(r, { ok: false, step: "lun-online", error: errorText(e) });
        }
      }
      results.set(id, r);
    }
    return [...imageResult, ...ids.map((id) => results.get(id)!)];
  });
}

/** A new COW file of the configured size, after checking the space for it. */
function createCow(c: StorageContext, m: Machine): void {
  const bytes = m.cowSizeMiB * MiB;
  ensureSpace(c, m, bytes, `${m.name}'s ${m.cowSizeMiB} MiB ${kindWord(m)}COW`);
  c.fs.createSized(m.cowPath, bytes);
}

const kindWord = (m: Machine) => (kindOf(m) === "game" ? "game disk " : "");

/**
 * One disk of a PC set up: its COW file (sparse, allocated), its loop, its snapshot over the
 * version it sits on. The actions done are pushed to `done` (a game disk's with a "game:" prefix);
 * the view afresh when loops changed.
 */
async function upDisk(c: StorageContext, d: PcDisk, view: HostView, bases: Bases, done: string[]): Promise<HostView> {
  let step = "cow-file";
  try {
    const held = view.loops.find((l) => l.backFile === d.cowPath && !l.readOnly);
    if (!held) {
      if (!c.fs.exists(d.cowPath)) {
        createCow(c, d);
        done.push(onDisk(d, "cow-created"));
        step = "cow-allocate";
        try {
          await check(c.run, allocate(d.cowPath, d.cowSizeMiB * MiB));
        } catch (e) {
          c.fs.remove(d.cowPath); // the space was not there after all: leave nothing behind
          throw new StepError("cow-allocate", `cannot allocate ${d.cowSizeMiB} MiB for ${d.cowPath}: ${errorText(e)}`);
        }
      }
      step = "cow-loop";
      await check(c.run, losetup.attach(d.cowPath, false));
      view = { ...view, loops: await c.reads.loops() };
      done.push(onDisk(d, "cow-loop-attached"));
    }
    step = "dm-create";
    const l = layoutOf(c.config, c.fs, d, view, "check", bases);
    if (!view.info.has(d.dmName)) {
      await check(c.run, dmsetup.create(d.dmName, l.table));
      done.push(onDisk(d, "dm-created"));
    }
    return view;
  } catch (e) {
    throw new StepError(onDisk(d, stepOf(e, step)), errorText(e));
  }
}

export async function up(c: StorageContext, ids: number[]): Promise<PcResult[]> {
  return c.locks.with(ids, async () => {
    let view = await c.reads.view();
    // What a kill left half made is finished first; its actions are reported as up's own.
    const repaired = new Map((await repairHalfDone(c, ids, view)).map((r) => [r.id, r.actions]));
    if (repaired.size) view = await c.reads.view();
    // A moment under the image lock: each disk's COW goes over the version it was built on (a new
    // COW over the current one), recorded, and those versions attached; the records keep them.
    let bases: Bases;
    try {
      ({ view, bases } = await c.locks.with([IMAGE_LOCK], async () => {
        const states = new Map<string, ImageState>();
        let v = view;
        for (const images of c.allImages) {
          const mine = images.lineage.machines.filter((d) => ids.includes(d.id));
          let s = images.load();
          states.set(images.lineage.key, s);
          if (!mine.length) continue;
          // Recording PCs over a version whose file is not there would record it as 0 bytes for good.
          const cur = currentVersion(s);
          if (!c.fs.exists(cur.path)) throw new StepError("master", `image v${cur.n} (${cur.path}) not found: put the master there first`);
          const fresh = mine.filter((d) => !c.fs.exists(d.cowPath) || !version(s, s.pcs[String(d.id)] ?? 0)).map((d) => d.id);
          if (fresh.length) {
            images.record(fresh, s.current);
            s = images.load();
            states.set(images.lineage.key, s);
          }
          const b = images.bases(s);
          for (const n of new Set(mine.map((d) => b.baseFor(d).n))) v = await images.attach(s, n, v);
        }
        return { view: v, bases: c.bases(states) };
      }));
    } catch (e) {
      return ids.map((id) => ({ id, ok: false, actions: [], step: stepOf(e, "master"), error: errorText(e) }));
    }
    const results: PcResult[] = [];
    for (const id of ids) {
      const m = c.machine(id);
      const done: string[] = [...(repaired.get(id) ?? [])];
      let step = "cow-file";
      try {
        // Every disk of the PC (system, then game), then its target with a LUN for each.
        let pcView = view;
        for (const d of disksOf(m)) pcView = await upDisk(c, d, pcView, bases, done);
        view = { ...view, loops: pcView.loops };
        step = "lun-online";
        done.push(...(await exportPc(c, m, pcView, disksOf(m))));
        results.push({ id, ok: true, actions: done });
      } catch (e) {
        results.push({ id, ok: false, actions: done, step: stepOf(e, step), error: errorText(e) });
      }
    }
    // PCs rebuilt over a master replaced by hand have let go of the old file's loop: it goes.
    await c.locks
      .with([IMAGE_LOCK], async () => {
        for (const images of c.allImages) await images.detachStale(images.load(), await c.reads.view("optional"));
      })
      .catch((e: unknown) => c.warn("after up, the loop of a replaced image file was not detached", e));
    return results;
  });
}

export async function down(c: StorageContext, ids: number[]): Promise<PcResult[]> {
  return c.locks.with(ids, async () => {
    const results: PcResult[] = [];
    for (const id of ids) {
      const m = c.machine(id);
      // The game disk's LUN first, then the system disk's, the target, and each disk's device and COW loop.
      const disks = disksOf(m);
      const done: string[] = [];
      let step = "lun-offline";
      try {
        const view = await c.reads.view();
        for (const d of [...disks].reverse()) {
          step = onDisk(d, "lun-offline");
          if (view.iscsi.get(m.iqn)?.luns.has(lunOf(c.backend, c.spec(d)))) {
            await c.runAll(c.backend.lunOffline(c.spec(d)));
            done.push(onDisk(d, "lun-offline"));
          }
        }
        step = "target-delete";
        if (view.iscsi.has(m.iqn)) {
          await c.runAll(c.backend.deleteTarget(c.spec(m)));
          done.push("target-deleted");
        }
        for (const d of disks) {
          step = onDisk(d, "dm-remove");
          const info = view.info.get(d.dmName);
          if (info) {
            if (info.suspended) await check(c.run, dmsetup.resume(d.dmName));
            await check(c.run, dmsetup.remove(d.dmName));
            done.push(onDisk(d, "dm-removed"));
          }
          step = onDisk(d, "cow-loop");
          for (const loop of view.loops.filter((l) => l.backFile === d.cowPath && !l.readOnly)) {
            await check(c.run, losetup.detach(loop.name));
            done.push(onDisk(d, "cow-loop-detached"));
          }
        }
        c.journal.remove(id);
        results.push({ id, ok: true, actions: done });
      } catch (e) {
        results.push({ id, ok: false, actions: done, step: stepOf(e, step), error: errorText(e) });
      }
    }
    return results;
  });
}
