/**
 * The `reset` verb: under the PCs' locks, what a dead process left half done repaired first, PCs
 * with an open iSCSI session refused unless forced, then the in-place reset plan (reset-plan.ts)
 * run step by step for all of them together, onto the current image version.
 */
import { onlineRefusal } from "../../lib/host/protocol";
import { runReset } from "../../lib/host/reset-run";
import { StepError, errorText } from "../../lib/host/step-error";
import type { ResetReport } from "../../lib/host/types";
import { exportedFor } from "../iscsi/backend";
import type { StorageContext } from "./context";
import { currentVersion, type ImageState } from "./image-state";
import type { Images } from "./images";
import { IMAGE_LOCK } from "./locks";
import { repairHalfDone } from "./provisioning";
import type { HostView } from "./reads";
import { SERVICE } from "./status";
import { inPlaceReset, type PlanDeps } from "./reset-plan";

export async function reset(
  c: StorageContext,
  ids: number[],
  onStep: (id: number, step: string) => void,
  opts: { force?: boolean } = {},
): Promise<ResetReport[]> {
  ids.forEach((id) => c.machine(id));
  return c.locks.with(ids, async () => {
    // A reset a dead process left half done is repaired first, so this one starts from the truth.
    let view = await c.reads.view("optional");
    if ((await repairHalfDone(c, ids, view)).length) view = await c.reads.view("optional");
    // The last word on a running PC, under its lock: the app's view of sessions can be seconds old.
    const refused = new Map(opts.force ? [] : ids.flatMap((id) => online(c, id, view)).map((r) => [r.id, r]));
    const run = ids.filter((id) => !refused.has(id));
    // Each group's PCs move to their own group's current version: one run per group, side by side.
    const byGroup = new Map<string, number[]>();
    for (const id of run) byGroup.set(c.machine(id).group, [...(byGroup.get(c.machine(id).group) ?? []), id]);
    const done = await Promise.all([...byGroup.values()].map((group) => resetNow(c, group, view, onStep)));
    const reports = run.length ? exportedAtEnd(c, view, done.flat()) : [];
    return ids.map((id) => refused.get(id) ?? reports.find((r) => r.id === id)!);
  });
}

/**
 * A reset never touches the target, so it works with the daemon down; but a PC nobody can reach is
 * no success (issue 16 item 9). The target as the reset found it, under the PCs' locks and after
 * the repair that exports what it can, is the target at its end (the run does not change it): each
 * PC that came through but is not exported fails at `export`, its disk as the run left it (fresh),
 * with what to do.
 */
function exportedAtEnd(c: StorageContext, view: HostView, reports: ResetReport[]): ResetReport[] {
  return reports.map((r) => {
    if (!r.ok) return r;
    const m = c.machine(r.id);
    const error =
      view.iscsiError !== undefined
        ? `the iSCSI target does not answer (${view.iscsiError}): ${m.name}'s disk was reset, but no initiator can reach it; start it (systemctl start ${SERVICE[c.backend.name]}), then 'cowherd-helper repair' exports it again`
        : exportedFor(c.backend, c.spec(m), view.iscsi.get(m.iqn))
          ? null
          : `${m.name}'s disk was reset, but it is not exported (no initiator can log in to it): 'cowherd-helper repair' exports it again`;
    return error ? { ...r, ok: false, failedStep: "export", error, steps: [...r.steps, { step: "export", ok: false, ms: 0, error }] } : r;
  });
}

/** The refusal of a reset of a PC whose iSCSI session is open (none when it has none). */
function online(c: StorageContext, id: number, view: HostView): ResetReport[] {
  const m = c.machine(id);
  const from = (view.iscsi.get(m.iqn)?.initiators ?? []).map((i) => i.ip ?? i.iqn);
  return from.length ? [onlineRefusal(id, m.name, from)] : [];
}

/** PCs of one group, onto its current version. */
async function resetNow(c: StorageContext, ids: number[], view: HostView, onStep: (id: number, step: string) => void): Promise<ResetReport[]> {
  const images = c.imagesOf(ids[0]!);
  // A moment under the image lock: the version the PCs move to, attached and pinned (no prune or
  // delete takes it from under them), then the run without it.
  const { s, moving, t, pin } = await c.locks.with([IMAGE_LOCK], async () => {
    const s = images.load();
    const moving = ids.some((id) => images.sitsOn(s, view).get(id) !== s.current);
    const t = await target(c, images, s, view, moving);
    return { s, moving, t, pin: t.target instanceof Error ? null : images.pin(s.current) };
  });
  let pinned = pin;
  const unpin = () => {
    if (pinned) images.unpin(pinned);
    pinned = null;
  };
  try {
    const reports = await runReset(ids, resetPlan(c, images, s, t.target, t.view), onStep);
    // PCs that moved off an older version may have freed it: its loop goes, and the version too
    // past storage.keepVersions. (No second look at the host when nobody changed version.)
    if (moving) {
      unpin();
      await c.locks
        .with([IMAGE_LOCK], async () => images.prune(images.load(), await c.reads.view("optional")))
        .catch((e: unknown) => c.warn("after the reset, old image versions were not tidied up", e));
    }
    return reports;
  } finally {
    unpin();
  }
}

/**
 * The current version as a reset's target: attached read-only when PCs move onto it (a PC already
 * on it is rebuilt over the loop it runs on, so nothing is attached before its checks); or why not.
 */
async function target(
  c: StorageContext,
  images: Images,
  s: ImageState,
  view: HostView,
  moving: boolean,
): Promise<{ view: HostView; target: PlanDeps["target"] }> {
  const cur = currentVersion(s);
  const sectors = Math.floor((c.fs.stat(cur.path)?.size ?? 0) / 512);
  if (!moving) return { view, target: { n: s.current, loop: images.loopOf(view, cur.path) ?? null, sectors } };
  try {
    const v = await images.attach(s, s.current, view);
    return { view: v, target: { n: s.current, loop: images.loopOf(v, cur.path)!, sectors } };
  } catch (e) {
    return { view, target: new StepError("check", `the current image version v${s.current} cannot be attached: ${errorText(e)}`) };
  }
}

function resetPlan(c: StorageContext, images: Images, s: ImageState, target: PlanDeps["target"], view: HostView) {
  return inPlaceReset(
    {
      ...c.planDeps(),
      config: c.config,
      journal: c.journal,
      machine: (id) => c.machine(id),
      pid: c.pid,
      now: () => c.now(),
      bases: images.bases(s),
      target,
      // The state file is read, changed and written under the image lock: never two at once.
      record: (moved, n) => c.locks.with([IMAGE_LOCK], async () => images.record(moved, n)),
    },
    view,
  );
}
