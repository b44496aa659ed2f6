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
import { exportSteps, exportedFor } from "../iscsi/backend";
import { MiB, type StorageContext } from "./context";
import { currentVersion, version, type ImageState } from "./image-state";
import { layoutOf, type Bases } from "./layout";
import { IMAGE_LOCK } from "./locks";
import type { HostView } from "./reads";
import { ensureSnapshot } from "./reset-plan";
import { ensureSpace } from "./space";

/** Whatever of the PC's target, binding and LUN is missing, made (see exportSteps). */
async function exportPc(c: StorageContext, m: Machine, view: HostView): Promise<string[]> {
  const done: string[] = [];
  for (const step of exportSteps(c.backend, c.spec(m), view.iscsi.get(m.iqn))) {
    await c.runAll(step.cmds);
    done.push(step.action);
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
    const info = view.info.get(m.dmName);
    const noNode = !!info && !c.fs.exists(c.spec(m).device);
    const half = !!info && (!info.live || info.inactive || info.suspended || view.tables.get(m.dmName)?.target !== "snapshot" || noNode);
    const legacyJournal = c.fs.exists(`${c.stateDir}/reset-${id}.pid`); // helper 1.x
    const unexported = !!info && !view.iscsiError && !exportedFor(c.backend, c.spec(m), view.iscsi.get(m.iqn));
    if (!half && !unexported && !journaled.has(id) && !legacyJournal) continue;
    const actions: string[] = [];
    try {
      if (info && half) {
        const records: StepRecord[] = [];
        const bases = c.bases();
        const ok = await ensureSnapshot(c.planDeps(), m, layoutOf(c.config, c.fs, m, view, "repair", bases), records);
        actions.push(...records.filter((r) => r.ok).map((r) => r.step.replace(/^recover:/, "")));
        if (!ok)
          throw new StepError(
            "repair",
            records
              .filter((r) => !r.ok)
              .map((r) => r.error)
              .pop() ?? "the snapshot did not come back",
          );
        // A device live all along can still lack its node (dmsetup create killed after the kernel
        // made it, no udev): without it the target cannot open the disk.
        if (!c.fs.exists(c.spec(m).device)) {
          await c.nodes(m.dmName);
          actions.push("dm-node");
        }
      }
      if (info && !view.iscsiError) actions.push(...(await exportPc(c, m, view)));
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
      if (r.ok && view.info.has(m.dmName)) {
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
  ensureSpace(c, m, bytes, `${m.name}'s ${m.cowSizeMiB} MiB COW`);
  c.fs.createSized(m.cowPath, bytes);
}

export async function up(c: StorageContext, ids: number[]): Promise<PcResult[]> {
  return c.locks.with(ids, async () => {
    let view = await c.reads.view();
    // What a kill left half made is finished first; its actions are reported as up's own.
    const repaired = new Map((await repairHalfDone(c, ids, view)).map((r) => [r.id, r.actions]));
    if (repaired.size) view = await c.reads.view();
    // A moment under the image lock: each PC's COW goes over the version it was built on (a new
    // COW over the current one), recorded, and those versions attached; the records keep them.
    let bases: Bases;
    try {
      ({ view, bases } = await c.locks.with([IMAGE_LOCK], async () => {
        const states = new Map<string, ImageState>();
        let v = view;
        for (const images of c.allImages) {
          const mine = ids.filter((id) => c.machine(id).group === images.lineage.key);
          let s = images.load();
          states.set(images.lineage.key, s);
          if (!mine.length) continue;
          // Recording PCs over a version whose file is not there would record it as 0 bytes for good.
          const cur = currentVersion(s);
          if (!c.fs.exists(cur.path)) throw new StepError("master", `image v${cur.n} (${cur.path}) not found: put the master there first`);
          const fresh = mine.filter((id) => !c.fs.exists(c.machine(id).cowPath) || !version(s, s.pcs[String(id)] ?? 0));
          if (fresh.length) {
            images.record(fresh, s.current);
            s = images.load();
            states.set(images.lineage.key, s);
          }
          const b = images.bases(s);
          for (const n of new Set(mine.map((id) => b.baseFor(c.machine(id)).n))) v = await images.attach(s, n, v);
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
        const held = view.loops.find((l) => l.backFile === m.cowPath && !l.readOnly);
        if (!held) {
          if (!c.fs.exists(m.cowPath)) {
            createCow(c, m);
            done.push("cow-created");
            step = "cow-allocate";
            try {
              await check(c.run, allocate(m.cowPath, m.cowSizeMiB * MiB));
            } catch (e) {
              c.fs.remove(m.cowPath); // the space was not there after all: leave nothing behind
              throw new StepError("cow-allocate", `cannot allocate ${m.cowSizeMiB} MiB for ${m.cowPath}: ${errorText(e)}`);
            }
          }
          step = "cow-loop";
          await check(c.run, losetup.attach(m.cowPath, false));
          view = { ...view, loops: await c.reads.loops() };
          done.push("cow-loop-attached");
        }
        step = "dm-create";
        const l = layoutOf(c.config, c.fs, m, view, "check", bases);
        if (!view.info.has(m.dmName)) {
          await check(c.run, dmsetup.create(m.dmName, l.table));
          done.push("dm-created");
        }
        step = "lun-online";
        done.push(...(await exportPc(c, m, view)));
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
      const done: string[] = [];
      let step = "lun-offline";
      try {
        const view = await c.reads.view();
        if (view.iscsi.get(m.iqn)?.luns.has(c.backend.lun)) {
          await c.runAll(c.backend.lunOffline(c.spec(m)));
          done.push("lun-offline");
        }
        step = "target-delete";
        if (view.iscsi.has(m.iqn)) {
          await c.runAll(c.backend.deleteTarget(c.spec(m)));
          done.push("target-deleted");
        }
        step = "dm-remove";
        const info = view.info.get(m.dmName);
        if (info) {
          if (info.suspended) await check(c.run, dmsetup.resume(m.dmName));
          await check(c.run, dmsetup.remove(m.dmName));
          done.push("dm-removed");
        }
        step = "cow-loop";
        for (const loop of view.loops.filter((l) => l.backFile === m.cowPath && !l.readOnly)) {
          await check(c.run, losetup.detach(loop.name));
          done.push("cow-loop-detached");
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
