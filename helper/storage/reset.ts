/**
 * The `reset` verb: under the PCs' locks, what a dead process left half done repaired first, PCs
 * with an open iSCSI session refused unless forced, then the in-place reset plan (reset-plan.ts)
 * run step by step for all of them together, onto the current image version.
 */
import { onlineRefusal } from "../../lib/host/protocol";
import { runReset } from "../../lib/host/reset-run";
import { StepError, errorText } from "../../lib/host/step-error";
import type { DiskKind } from "../../lib/config/schema";
import type { ResetOutcome, ResetReport, StepRecord } from "../../lib/host/types";
import { exportedFor } from "../iscsi/backend";
import type { StorageContext } from "./context";
import { currentVersion, type ImageState } from "./image-state";
import type { Images } from "./images";
import { onDisk, type PcDisk } from "./lineage";
import { IMAGE_LOCK } from "./locks";
import { repairHalfDone } from "./provisioning";
import type { HostView } from "./reads";
import { SERVICE } from "./status";
import { inPlaceReset, type PlanDeps } from "./reset-plan";

export async function reset(
  c: StorageContext,
  ids: number[],
  onStep: (id: number, step: string) => void,
  opts: { force?: boolean; disk?: DiskKind } = {},
): Promise<ResetReport[]> {
  // The disks each PC's reset covers (every disk it has, or the one asked for): refused before anything.
  const disksBy = new Map(ids.map((id) => [id, c.disks(id, opts.disk)]));
  return c.locks.with(ids, async () => {
    // A reset a dead process left half done is repaired first, so this one starts from the truth.
    let view = await c.reads.view("optional");
    if ((await repairHalfDone(c, ids, view)).length) view = await c.reads.view("optional");
    // The last word on a running PC, under its lock: the app's view of sessions can be seconds old.
    const refused = new Map(opts.force ? [] : ids.flatMap((id) => online(c, id, view)).map((r) => [r.id, r]));
    const run = ids.filter((id) => !refused.has(id));
    // Each line's disks move to their own line's current version: one run per line, side by side;
    // the system disks first, then the game disks (one journal per PC: never two runs on a PC at once).
    const byId = new Map<number, { disk: PcDisk; report: ResetReport }[]>();
    for (const kind of ["system", "game"] as const) {
      const byLine = new Map<string, PcDisk[]>();
      for (const id of run) for (const d of disksBy.get(id)!.filter((d) => d.disk === kind)) byLine.set(d.group, [...(byLine.get(d.group) ?? []), d]);
      if (!byLine.size) continue;
      if (kind === "game" && byId.size) view = await c.reads.view("optional");
      const done = await Promise.all([...byLine.values()].map((disks) => resetNow(c, disks, view, onStep)));
      for (const [i, disks] of [...byLine.values()].entries())
        for (const report of done[i]!) byId.set(report.id, [...(byId.get(report.id) ?? []), { disk: disks.find((d) => d.id === report.id)!, report }]);
    }
    const reports = run.map((id) => merge(id, exportedAtEnd(c, view, byId.get(id) ?? [])));
    return ids.map((id) => refused.get(id) ?? reports.find((r) => r.id === id)!);
  });
}

/** From the best outcome to the worst. */
const OUTCOMES: ResetOutcome[] = ["fresh", "kept-old", "unknown", "down"];

/** A report's steps as the game disk's ("game:" before each name). */
function onDiskReport(d: PcDisk, r: ResetReport): ResetReport {
  const named = (s: StepRecord) => ({ ...s, step: onDisk(d, s.step) });
  return { ...r, ...(r.failedStep !== undefined ? { failedStep: onDisk(d, r.failedStep) } : {}), steps: r.steps.map(named), recovery: r.recovery.map(named) };
}

/** One report per PC over its disks: ok when every disk's is, the worse outcome, steps in order. */
function merge(id: number, parts: ResetReport[]): ResetReport {
  if (parts.length === 1) return parts[0]!;
  const failed = parts.filter((r) => !r.ok);
  return {
    id,
    ok: !failed.length,
    ...(failed.length ? { failedStep: failed[0]!.failedStep!, error: failed.map((r) => r.error).join("; ") } : {}),
    steps: parts.flatMap((r) => r.steps),
    recovery: parts.flatMap((r) => r.recovery),
    outcome: OUTCOMES[Math.max(...parts.map((r) => OUTCOMES.indexOf(r.outcome)))]!,
  };
}

/**
 * A reset never touches the target, so it works with the daemon down; but a PC nobody can reach is
 * no success (issue 16 item 9). The target as the reset found it, under the PCs' locks and after
 * the repair that exports what it can, is the target at its end (the run does not change it): each
 * disk that came through but is not exported fails at `export` (`game:export`), as the run left it
 * (fresh), with what to do.
 */
function exportedAtEnd(c: StorageContext, view: HostView, parts: { disk: PcDisk; report: ResetReport }[]): ResetReport[] {
  return parts.map(({ disk: d, report: r }) => {
    if (!r.ok) return onDiskReport(d, r);
    const m = c.machine(r.id);
    const what = d.disk === "game" ? `${m.name}'s game disk` : `${m.name}'s disk`;
    const error =
      view.iscsiError !== undefined
        ? `the iSCSI target does not answer (${view.iscsiError}): ${what} was reset, but no initiator can reach it; start it (systemctl start ${SERVICE[c.backend.name]}), then 'cowherd-helper repair' exports it again`
        : exportedFor(c.backend, c.spec(d), view.iscsi.get(m.iqn))
          ? null
          : `${what} was reset, but it is not exported (no initiator can log in to it): 'cowherd-helper repair' exports it again`;
    const out = error ? { ...r, ok: false, failedStep: "export", error, steps: [...r.steps, { step: "export", ok: false, ms: 0, error }] } : r;
    return onDiskReport(d, out);
  });
}

/** The refusal of a reset of a PC whose iSCSI session is open (none when it has none). */
function online(c: StorageContext, id: number, view: HostView): ResetReport[] {
  const m = c.machine(id);
  const from = (view.iscsi.get(m.iqn)?.initiators ?? []).map((i) => i.ip ?? i.iqn);
  return from.length ? [onlineRefusal(id, m.name, from)] : [];
}

/** Disks of one line (a group's system disks, or its game disks), onto its current version. */
async function resetNow(c: StorageContext, disks: PcDisk[], view: HostView, onStep: (id: number, step: string) => void): Promise<ResetReport[]> {
  const images = c.imagesOfDisk(disks[0]!);
  const ids = disks.map((d) => d.id);
  const diskOf = new Map(disks.map((d) => [d.id, d]));
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
    const reports = await runReset(
      ids,
      resetPlan(c, images, s, t.target, t.view, (id) => diskOf.get(id)!),
      (id, step) => onStep(id, onDisk(diskOf.get(id)!, step)),
    );
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

function resetPlan(c: StorageContext, images: Images, s: ImageState, target: PlanDeps["target"], view: HostView, disk: (id: number) => PcDisk) {
  return inPlaceReset(
    {
      ...c.planDeps(),
      config: c.config,
      journal: c.journal,
      machine: disk,
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
