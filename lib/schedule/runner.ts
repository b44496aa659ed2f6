/**
 * Scheduled resets and clean-up (config `schedule`, README "Scheduled resets and clean-up"), checked
 * by one scheduler task every TICK_MS:
 *  - daily-reset: at a time of day (server's local time), reset every PC that is off;
 *  - after-off: reset a PC used since its last reset once it has been off `minutes` (a PC back up
 *    before that is not reset; the wait starts again when it next goes off);
 *  - draft-cleanup: discard an update draft nobody touched for `days`.
 * Resets go through the orchestrator as jobs with source "schedule" (their rows are the history).
 * Never reset: kept PCs (skipKept), PCs that are up (booting or online), PCs on a host that does not
 * answer, PCs already in a job; each run's summary names them and why. Each rule's last run is
 * stored (schedule_runs), so a restart never runs a daily slot twice.
 */
import type { Config } from "../config/schema";
import type { BootRepo } from "../db/boots";
import type { HistoryRepo } from "../db/history";
import type { ScheduleRunRepo, ScheduleRun } from "../db/schedule-runs";
import type { BootTracker } from "../boot/tracker";
import type { ImageAudit, ImageService } from "../images/image-service";
import type { ResetOrchestrator } from "../reset/orchestrator";
import { skipKept, type Keeps } from "../reset/keep";
import type { Room } from "../status/room";
import { errorText } from "../host/step-error";
import { lastSlot } from "./slots";

export const TICK_MS = 30_000;
/** A daily run this late after its slot (the server was down at the slot) says it ran late. */
const LATE_MS = 2 * TICK_MS;
/** A draft whose discard failed (a host refusing, a step running) is tried again this much later. */
const RETRY_MS = 3_600_000;

export const RULES = ["daily-reset", "after-off", "draft-cleanup"] as const;
export type RuleName = (typeof RULES)[number];

export interface ScheduleDeps {
  config: Pick<Config, "schedule" | "machines">;
  room: Pick<Room, "read">;
  bootTracker: Pick<BootTracker, "info" | "isUp">;
  keeps: Pick<Keeps, "all">;
  orchestrator: Pick<ResetOrchestrator, "submit" | "progress">;
  history: Pick<HistoryRepo, "latestByMachine">;
  boots: Pick<BootRepo, "latestByMachine">;
  images: Pick<ImageService, "view" | "run">;
  runs: ScheduleRunRepo;
  /** Where a scheduled discard is audited (the runtime writes an `image.discard` row by the system). */
  imageAudit: (host: string) => ImageAudit;
  now?: () => number;
}

/** What one scheduled reset run did with each PC it looked at. */
export interface ResetRunResult {
  jobId: string | null;
  reset: string[];
  kept: string[];
  online: string[];
  busy: string[];
  hostDown: { host: string; why: string; pcs: string[] }[];
}

export class ScheduleRunner {
  private readonly now: () => number;
  private readonly names: Map<number, string>;
  /** after-off: the off periods ("id:since") already handled (reset or kept), so each is handled once. */
  private readonly handled = new Set<string>();
  /** after-off and draft-cleanup: what was already reported as skipped (an online update PC, a host down), once each. */
  private readonly noted = new Set<string>();
  /** after-off: when this process last saw each PC up (booting or online). */
  private readonly seenUp = new Map<number, number>();
  /** draft-cleanup: when a discard of a draft ("host:n") failed; tried again after RETRY_MS, not at every look. */
  private readonly failedDiscard = new Map<string, number>();

  constructor(private readonly d: ScheduleDeps) {
    this.now = d.now ?? Date.now;
    this.names = new Map(d.config.machines.map((m) => [m.id, m.name]));
  }

  /** When the last look began (null before the first): the next is TICK_MS after it. */
  private lastLook: number | null = null;

  /** When the next look is due, as far as this runner knows (null before its first look). */
  nextLook(): number | null {
    return this.lastLook === null ? null : this.lastLook + TICK_MS;
  }

  /** One look: each configured rule that is due runs. A rule's failure is logged and does not stop the others. */
  async tick(): Promise<void> {
    this.lastLook = this.now();
    const s = this.d.config.schedule;
    for (const [rule, on, run] of [
      ["daily-reset", s.dailyReset, () => this.daily()],
      ["after-off", s.afterOff, () => this.afterOff()],
      ["draft-cleanup", s.draftCleanup, () => this.drafts()],
    ] as const) {
      if (!on) continue;
      try {
        await run();
      } catch (e) {
        console.error(`cowherd: schedule ${rule}: ${errorText(e)}`);
      }
    }
  }

  last(rule: RuleName): ScheduleRun | undefined {
    return this.d.runs.last(rule);
  }

  /**
   * The daily slot. A slot missed while Cowherd was down is run once at the first look after the
   * start (only the newest slot, never several): it touches only PCs that are off, so running late
   * is safe, and the room gets the clean start it was promised; the summary says it ran late. A rule
   * seen for the first time does not run for the slot already past: its first run is the next slot.
   */
  private async daily(): Promise<void> {
    const at = this.d.config.schedule.dailyReset!.at;
    const now = this.now();
    const slot = lastSlot(now, at);
    const last = this.d.runs.last("daily-reset");
    if (!last) {
      this.d.runs.record({ rule: "daily-reset", slot, ranAt: now, summary: `Rule set up: its first run is at the next ${at}`, batchId: null });
      return;
    }
    if (last.slot >= slot) return;
    // Recorded before the resets start: a crash in between must not run the slot again at the next start.
    this.d.runs.record({
      rule: "daily-reset",
      slot,
      ranAt: now,
      summary: "Started; if this stays, Cowherd stopped during the run (its resets are in the history)",
      batchId: null,
    });
    let r: ResetRunResult;
    try {
      r = await this.resetOff(
        this.d.config.machines.map((m) => m.id),
        `daily ${at}`,
      );
    } catch (e) {
      // Said on Settings, not left as "Started": the slot is not run again (its PCs were never touched).
      this.d.runs.record({ rule: "daily-reset", slot, ranAt: now, summary: `Failed before any reset: ${errorText(e)}`, batchId: null });
      throw e;
    }
    const late = now - slot > LATE_MS ? `Ran late (Cowherd was not running at ${at}). ` : "";
    this.d.runs.record({ rule: "daily-reset", slot, ranAt: now, summary: late + describe(r), batchId: r.jobId });
  }

  private async afterOff(): Promise<void> {
    const waitMs = this.d.config.schedule.afterOff!.minutes * 60_000;
    const now = this.now();
    const lastReset = this.d.history.latestByMachine(this.names.keys());
    const lastBoot = this.d.boots.latestByMachine();
    const due: number[] = [];
    for (const id of this.names.keys()) {
      const info = this.d.bootTracker.info(id);
      if (info.state !== "off") {
        this.seenUp.set(id, now);
        continue;
      }
      if (now - info.since < waitMs) continue;
      const key = `${id}:${info.since}`;
      if (this.handled.has(key)) continue;
      // Only a PC used since its last good reset: it booted (a boot row, which survives a restart,
      // where the tracker starts every PC as off since the start) or was seen up by this process.
      const reset = lastReset.get(id);
      const clean = reset?.result === "ok" ? reset.startedAt : -Infinity;
      const used = (this.seenUp.get(id) ?? -Infinity) > clean || (lastBoot.get(id)?.startedAt ?? -Infinity) > clean;
      if (used) due.push(id);
    }
    if (!due.length) return;
    const r = await this.resetOff(due, `${this.d.config.schedule.afterOff!.minutes} min after off`);
    // A host that is down is tried again at the next look (reported once); the rest is done.
    const down = new Set(r.hostDown.flatMap((h) => h.pcs));
    for (const id of due) if (!down.has(this.names.get(id)!)) this.handled.add(`${id}:${this.d.bootTracker.info(id).since}`);
    const fresh = r.hostDown.map((h) => ({ ...h, pcs: h.pcs.filter((pc) => !this.noted.has(`down:${pc}`)) })).filter((h) => h.pcs.length);
    for (const h of fresh) for (const pc of h.pcs) this.noted.add(`down:${pc}`);
    for (const name of r.reset) this.noted.delete(`down:${name}`);
    if (!r.reset.length && !r.kept.length && !r.online.length && !r.busy.length && !fresh.length) return;
    this.d.runs.record({ rule: "after-off", slot: now, ranAt: now, summary: describe({ ...r, hostDown: fresh }), batchId: r.jobId });
  }

  /**
   * Untouched since: the later of the draft's start and its update PC's last boot (the only writes
   * a draft gets are that PC's, while booted into it; the host reports no write time).
   */
  private async drafts(): Promise<void> {
    const days = this.d.config.schedule.draftCleanup!.days;
    const now = this.now();
    const view = await this.d.images.view();
    const lastBoot = this.d.boots.latestByMachine();
    for (const h of view.hosts) {
      const draft = h.draft;
      if (!draft || h.busy) continue;
      const touched = Math.max(draft.startedAt, lastBoot.get(draft.machine)?.startedAt ?? 0);
      if (now - touched < days * 86_400_000) continue;
      const key = `draft:${h.host}:${h.group}:${draft.n}`;
      if (draft.online || this.d.bootTracker.isUp(draft.machine)) {
        if (this.noted.has(key)) continue;
        this.noted.add(key);
        this.d.runs.record({
          rule: "draft-cleanup",
          slot: now,
          ranAt: now,
          summary: `Kept draft v${draft.n} on ${h.host} (untouched ${days}+ days): its update PC ${draft.machineName} is up`,
          batchId: null,
        });
        continue;
      }
      if (now - (this.failedDiscard.get(key) ?? -Infinity) < RETRY_MS) continue;
      let summary: string;
      try {
        await this.d.images.run(h.host, { op: "discard", group: h.group }, "schedule", null, this.d.imageAudit(h.host));
        this.failedDiscard.delete(key);
        summary = `Discarded draft v${draft.n} on ${h.host} (update PC ${draft.machineName}), untouched since ${new Date(touched).toISOString()}`;
      } catch (e) {
        this.failedDiscard.set(key, now);
        summary = `Could not discard draft v${draft.n} on ${h.host} (tried again in an hour): ${errorText(e)}`;
      }
      this.d.runs.record({ rule: "draft-cleanup", slot: now, ranAt: now, summary, batchId: null });
    }
  }

  /** Resets those of `ids` that are off, not kept, on a host that answers and not in a job: one job. */
  private async resetOff(ids: number[], label: string): Promise<ResetRunResult> {
    const readings = await this.d.room.read();
    // A host read now that fails (or was never read) says nothing about its PCs: they are skipped.
    const down = new Map(readings.filter((r) => r.failing || !r.status).map((r) => [r.name, r.failing?.message ?? "not read yet"]));
    // A session listed on its target counts as up too, besides the boot tracker's state: right after a
    // start the tracker has not looked yet and sees every PC as off.
    const sessions = new Set(readings.flatMap((r) => (r.status?.machines ?? []).filter((m) => m.initiators.length).map((m) => m.id)));
    const hostOf = new Map(this.d.config.machines.map((m) => [m.id, m.host]));
    const { reset: notKept, kept } = skipKept(this.d.keeps, ids);
    const busy = this.d.orchestrator.progress();
    const r: ResetRunResult = { jobId: null, reset: [], kept: kept.map((id) => this.names.get(id)!), online: [], busy: [], hostDown: [] };
    const now: number[] = [];
    for (const id of notKept) {
      const name = this.names.get(id)!;
      const host = hostOf.get(id)!;
      const why = down.get(host);
      if (why !== undefined) {
        const entry = r.hostDown.find((h) => h.host === host) ?? r.hostDown[r.hostDown.push({ host, why, pcs: [] }) - 1]!;
        entry.pcs.push(name);
      } else if (this.d.bootTracker.isUp(id) || sessions.has(id)) r.online.push(name);
      else if (busy.has(id)) r.busy.push(name);
      else now.push(id);
    }
    if (now.length) {
      const job = this.d.orchestrator.submit(now, { source: "schedule", requestedBy: `schedule (${label})` });
      r.jobId = job.id;
      r.reset = now.map((id) => this.names.get(id)!);
    }
    return r;
  }
}

/** A run in one line, for the Settings page. */
export function describe(r: ResetRunResult): string {
  const parts = [r.reset.length ? `Reset ${r.reset.length} PC(s): ${r.reset.join(", ")}` : "Reset no PC"];
  if (r.online.length) parts.push(`skipped ${r.online.length} up (never reset by a schedule): ${r.online.join(", ")}`);
  if (r.kept.length) parts.push(`skipped ${r.kept.length} kept: ${r.kept.join(", ")}`);
  if (r.busy.length) parts.push(`skipped ${r.busy.length} already being reset: ${r.busy.join(", ")}`);
  for (const h of r.hostDown) parts.push(`skipped ${h.pcs.length} on host ${h.host}, which does not answer (${h.why}): ${h.pcs.join(", ")}`);
  return `${parts.join("; ")}.`;
}
