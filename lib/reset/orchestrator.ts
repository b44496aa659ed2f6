import { randomUUID } from "node:crypto";
import type { Config, DiskKind, Machine } from "../config/schema";
import type { ResetSource } from "../constants";
import { errors } from "../api/errors";
import type { HistoryRepo, ResetRow } from "../db/history";
import { lateAnswer } from "../host/late-answer";
import { errorText, stepOf } from "../host/step-error";
import type { MachineHostStatus, ResetReport } from "../host/types";
import type { Room } from "../status/room";
import { JobStore } from "../jobs/job-store";
import { summarize, type ResetJob, type JobMachine } from "./jobs";

export interface ResetRequest {
  source: ResetSource;
  requestedBy: string | null;
  /** The admin forced it: the host resets a PC even with its iSCSI session open. */
  force?: boolean;
  /** One of the PCs' disks only ("system" or "game"); absent: every disk each PC has. */
  disk?: DiskKind;
}

/** What the grid shows for a PC that is part of an unfinished job. */
export interface ResetProgress {
  jobId: string;
  state: "queued" | "running";
  step: string | null;
  startedAt: number;
  source: ResetSource;
}

const KEEP_FINISHED_JOBS = 200;

export interface ResetHooks {
  /** A PC came back with a fresh disk from a reset that started at `startedAt` (its "reset at next boot" is done). */
  onFresh?(machineId: number, startedAt: number): void;
}

type HistoryEnd = Parameters<HistoryRepo["finish"]>[1];
type Outcome = { ok: boolean; outcome: JobMachine["outcome"]; failedStep: string | null; error: string | null; steps?: ResetReport["steps"] };

/**
 * Runs resets as jobs: a request is answered at once with a job; the job resets its PCs one host
 * at a time per host (hosts in parallel), in runs of `resetConcurrency` PCs, each run one call to
 * the host. One job per PC at a time; every PC's history row is written before its host is
 * touched and completed afterwards, whatever happened.
 */
export class ResetOrchestrator {
  private readonly active = new Map<number, ResetProgress>();
  private readonly jobs = new JobStore<ResetJob>(KEEP_FINISHED_JOBS);
  private readonly byId: Map<number, Machine>;

  /** History rows whose completion could not be written (the database refused twice): written at the next chance. */
  private readonly unwritten = new Map<number, HistoryEnd>();

  constructor(
    private readonly config: Config,
    private readonly room: Room,
    private readonly history: HistoryRepo,
    private readonly now: () => number = Date.now,
    private readonly hooks: ResetHooks = {},
  ) {
    this.byId = new Map(config.machines.map((m) => [m.id, m]));
  }

  progress(): ReadonlyMap<number, ResetProgress> {
    return this.active;
  }

  machine(id: number): Machine {
    const m = this.byId.get(id);
    if (!m) throw errors.notFound(`No machine with id ${id}`);
    return m;
  }

  /**
   * Starts a job for these PCs. Unknown ids fail the request before anything happens; a PC already
   * in a job is refused (in the job); when every PC is refused the request fails with 409.
   */
  submit(ids: number[], req: ResetRequest): ResetJob {
    const unique = [...new Set(ids)];
    const machines = unique.map((id) => this.machine(id));
    if (req.disk === "game") {
      const none = machines.filter((m) => !m.game).map((m) => m.name);
      if (none.length)
        throw errors.badRequest(
          `${none.join(", ")} ${none.length === 1 ? "has" : "have"} no game disk (only a group with gameDisk has one): nothing was reset`,
        );
    }
    const createdAt = this.now();
    const job: ResetJob = {
      id: randomUUID(),
      kind: "reset",
      source: req.source,
      requestedBy: req.requestedBy,
      createdAt,
      finishedAt: null,
      machines: machines.map((m) => ({
        id: m.id,
        name: m.name,
        host: m.host,
        state: this.active.has(m.id) ? "refused" : "queued",
        step: null,
        historyId: null,
        ok: null,
        outcome: null,
        failedStep: null,
        error: this.active.has(m.id) ? `${m.name} is already being reset` : null,
        usedBefore: null,
        startedAt: null,
        endedAt: null,
      })),
      summary: summarize([]),
    };
    const claimed = job.machines.filter((m) => m.state === "queued");
    if (!claimed.length) {
      throw errors.conflict(
        "reset_in_progress",
        machines.length === 1 ? `${machines[0]!.name} is already being reset` : "All of these PCs are already being reset",
      );
    }
    for (const m of claimed) this.active.set(m.id, { jobId: job.id, state: "queued", step: null, startedAt: createdAt, source: req.source });
    job.summary = summarize(job.machines);
    // A boot-time reset comes from the PC itself: the session open is its own stale one (iPXE's).
    const force = req.force === true || req.source === "boot" || req.source === "legacy";
    // run() does not throw: every host's runs end their own PCs, whatever happens to the others.
    const done = this.run(job, claimed, force, req.disk);
    this.jobs.add(job, done);
    return structuredClone(job);
  }

  private async run(job: ResetJob, claimed: JobMachine[], force: boolean, disk: DiskKind | undefined): Promise<ResetJob> {
    const byHost = new Map<string, JobMachine[]>();
    for (const m of claimed) byHost.set(m.host, [...(byHost.get(m.host) ?? []), m]);
    const size = this.config.resetConcurrency;
    await Promise.all(
      [...byHost].map(async ([host, ms]) => {
        for (let i = 0; i < ms.length; i += size) {
          const run = ms.slice(i, i + size);
          try {
            await this.runOnHost(job, host, run, force, disk);
          } catch (e) {
            // A fault of ours (every host failure is a PC's report): this run's PCs say so, and this
            // host's later runs and the other hosts' go on. Only this run's PCs are released.
            console.error(`cowherd: reset job ${job.id} on ${host}:`, e);
            for (const m of run) {
              if (m.state === "queued" || m.state === "running")
                Object.assign(m, {
                  state: "done",
                  step: null,
                  ok: false,
                  outcome: m.state === "running" ? "unknown" : "kept-old",
                  failedStep: "internal",
                  error: errorText(e),
                  endedAt: this.now(),
                });
              if (this.active.get(m.id)?.jobId === job.id) this.active.delete(m.id);
            }
          }
        }
      }),
    );
    job.finishedAt = this.now();
    job.summary = summarize(job.machines);
    return structuredClone(job);
  }

  /** One call to one host for a run of PCs; whatever happens, every row is completed. */
  private async runOnHost(job: ResetJob, hostName: string, ms: JobMachine[], force: boolean, disk: DiskKind | undefined): Promise<void> {
    const service = this.room.services.get(hostName)!;
    try {
      let before = new Map<number, MachineHostStatus>();
      try {
        before = new Map((await service.get()).machines.map((s) => [s.id, s]));
      } catch {
        // the reset may be exactly what fixes a host that cannot report
      }
      const startedAt = this.now();
      const started: JobMachine[] = [];
      for (const m of ms) {
        const b = before.get(m.id);
        try {
          m.historyId = this.history.start({
            machineId: m.id,
            machineName: m.name,
            source: job.source,
            requestedBy: job.requestedBy,
            batchId: job.id,
            startedAt,
            stateBefore: b?.state ?? null,
            usedBefore: b?.usedSectors ?? null,
            totalBefore: b?.totalSectors ?? null,
            disk: disk ?? null,
          });
        } catch (e) {
          // Not recorded, so not run.
          this.finish(m, { ok: false, outcome: "kept-old", failedStep: "history", error: `not run: ${errorText(e)}` }, startedAt);
          continue;
        }
        Object.assign(m, { state: "running", startedAt, usedBefore: b?.usedSectors ?? null });
        this.active.set(m.id, { ...this.active.get(m.id)!, state: "running", step: "starting", startedAt });
        started.push(m);
      }
      if (!started.length) return;
      let reports = new Map<number, ResetReport>();
      let hostError: { step: string; message: string } | null = null;
      try {
        const rs = await service.host.reset(
          started.map((m) => m.id),
          (id, step) => {
            const p = this.active.get(id);
            if (p) p.step = step;
            const jm = started.find((m) => m.id === id);
            if (jm) jm.step = step;
          },
          { force, ...(disk ? { disk } : {}) },
        );
        reports = new Map(rs.map((r) => [r.id, r]));
      } catch (e) {
        hostError = { step: stepOf(e, "host"), message: errorText(e) };
        const late = lateAnswer<ResetReport[]>(e);
        if (late) this.whenLate(hostName, started, late);
      }
      for (const m of started) {
        const r = reports.get(m.id);
        this.finish(
          m,
          r
            ? { ok: r.ok, outcome: r.outcome, failedStep: r.failedStep ?? null, error: r.error ?? null, steps: [...r.steps, ...r.recovery] }
            : { ok: false, outcome: "unknown", failedStep: hostError?.step ?? "host", error: hostError?.message ?? "the host gave no report for this PC" },
          startedAt,
        );
      }
    } finally {
      for (const m of ms) this.active.delete(m.id);
      this.room.invalidate(hostName);
    }
  }

  private finish(m: JobMachine, r: Outcome, startedAt: number): void {
    const endedAt = this.now();
    if (m.historyId !== null)
      this.write(m.historyId, { endedAt, result: r.ok ? "ok" : "failed", outcome: r.outcome, failedStep: r.failedStep, error: r.error, steps: r.steps ?? [] });
    Object.assign(m, {
      state: "done",
      step: null,
      ok: r.ok,
      outcome: r.outcome,
      failedStep: r.failedStep,
      error: r.error,
      startedAt: m.startedAt ?? startedAt,
      endedAt,
    });
    if (r.ok && r.outcome === "fresh") this.freshened(m.id, m.startedAt ?? startedAt);
  }

  /**
   * Completes a history row; never throws, so one row the database refuses cannot stop the other
   * PCs' rows. One retry at once (SQLITE_BUSY beyond busy_timeout); after that the row is kept and
   * tried again with each later row (a row still 'running' at the next start is marked interrupted).
   */
  private write(id: number, row: HistoryEnd): void {
    this.unwritten.set(id, row);
    for (const [rid, r] of [...this.unwritten]) {
      for (let attempt = 1; attempt <= 2; attempt++) {
        try {
          this.history.finish(rid, r);
          this.unwritten.delete(rid);
          break;
        } catch (e) {
          console.error(`cowherd: could not complete history row ${rid} (attempt ${attempt}): ${errorText(e)}`);
        }
      }
    }
  }

  private freshened(id: number, startedAt: number): void {
    try {
      this.hooks.onFresh?.(id, startedAt);
    } catch (e) {
      console.error(`cowherd: after the reset of PC ${id}: ${errorText(e)}`);
    }
  }

  /**
   * The host answered after its timeout (the agent went on with the reset): the PCs' rows, written
   * as failed with outcome unknown, get what really happened, and so does the job if still known.
   */
  private whenLate(hostName: string, ms: JobMachine[], late: Promise<ResetReport[]>): void {
    late.then(
      (reports) => {
        this.room.invalidate(hostName);
        for (const r of reports) {
          const m = ms.find((x) => x.id === r.id);
          if (m?.outcome !== "unknown") continue;
          const end: Outcome = { ok: r.ok, outcome: r.outcome, failedStep: r.failedStep ?? null, error: r.error ?? null, steps: [...r.steps, ...r.recovery] };
          const endedAt = this.now();
          try {
            if (m.historyId !== null)
              this.history.reconcile(m.historyId, {
                endedAt,
                result: end.ok ? "ok" : "failed",
                outcome: end.outcome,
                failedStep: end.failedStep,
                error: end.error,
                steps: end.steps ?? [],
              });
          } catch (e) {
            console.error(`cowherd: could not record the late answer for history row ${m.historyId}: ${errorText(e)}`);
          }
          Object.assign(m, { ok: end.ok, outcome: end.outcome, failedStep: end.failedStep, error: end.error, endedAt });
          console.error(
            `cowherd: ${m.name}: the host answered after its timeout: ${end.ok ? `reset, outcome ${end.outcome}` : `failed at ${end.failedStep}, outcome ${end.outcome}`}`,
          );
          if (end.ok && end.outcome === "fresh") this.freshened(m.id, m.startedAt ?? endedAt);
        }
      },
      (e: unknown) => console.error(`cowherd: ${hostName}: no late answer for ${ms.map((m) => m.name).join(", ")} (outcome stays unknown): ${errorText(e)}`),
    );
  }

  /** A job as it stands; after a restart (or once forgotten) rebuilt from its history rows. */
  job(id: string): ResetJob | undefined {
    const live = this.jobs.get(id);
    if (live) return { ...live, summary: summarize(live.machines) };
    const rows = this.history.byBatch(id);
    if (!rows.length) return undefined;
    const machines = rows.map((r) => fromRow(r, this.byId.get(r.machineId)?.host ?? "unknown"));
    const first = rows[0]!;
    const ends = rows.map((r) => r.endedAt);
    return {
      id,
      kind: "reset",
      source: first.source,
      requestedBy: first.requestedBy,
      createdAt: Math.min(...rows.map((r) => r.startedAt)),
      finishedAt: ends.every((e) => e !== null) ? Math.max(...(ends as number[])) : null,
      machines,
      summary: summarize(machines),
    };
  }

  /** Resolves with the finished job (the boot route and tests wait for it). */
  async wait(id: string): Promise<ResetJob> {
    const done = this.jobs.done(id);
    if (done) return done;
    const j = this.job(id);
    if (!j) throw errors.notFound(`No job ${id}`);
    return j;
  }
}

function fromRow(r: ResetRow, host: string): JobMachine {
  const done = r.result !== "running";
  return {
    id: r.machineId,
    name: r.machineName,
    host,
    state: done ? "done" : "running",
    step: null,
    historyId: r.id,
    ok: done ? r.result === "ok" : null,
    outcome: (r.outcome as JobMachine["outcome"]) ?? null,
    failedStep: r.failedStep,
    error: r.error,
    usedBefore: r.usedBefore,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
  };
}
