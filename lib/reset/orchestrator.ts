import { randomUUID } from "node:crypto";
import type { Config, Machine } from "../config/schema";
import { errors } from "../api/errors";
import type { HistoryRepo, ResetSource } from "../db/history";
import { errorText } from "../host/reset-sequence";
import type { Host, MachineHostStatus, ResetReport } from "../host/types";
import type { StatusService } from "../status/status-service";

export interface ResetRequest {
  source: ResetSource;
  requestedBy: string | null;
  batchId?: string | null;
}

export interface ResetProgress {
  step: string;
  startedAt: number;
  historyId: number | null;
  source: ResetSource;
}

export interface ResetOutcome {
  machineId: number;
  name: string;
  historyId: number;
  ok: boolean;
  outcome: ResetReport["outcome"] | "unknown";
  failedStep: string | null;
  error: string | null;
  durationMs: number;
  usedBefore: number | null;
}

export type BulkItem = ResetOutcome | { machineId: number; name: string; ok: false; refused: true; error: string };

/**
 * Drives resets: one at a time per PC, history row written before the host is touched and
 * completed afterwards whatever happened, status cache invalidated when done.
 */
export class ResetOrchestrator {
  private readonly running = new Map<number, ResetProgress>();
  private readonly byId: Map<number, Machine>;

  constructor(
    private readonly config: Config,
    private readonly host: Host,
    private readonly history: HistoryRepo,
    private readonly status: StatusService,
    private readonly now: () => number = Date.now,
  ) {
    this.byId = new Map(config.machines.map((m) => [m.id, m]));
  }

  progress(): ReadonlyMap<number, ResetProgress> {
    return this.running;
  }

  machine(id: number): Machine {
    const m = this.byId.get(id);
    if (!m) throw errors.notFound(`No machine with id ${id}`);
    return m;
  }

  async resetOne(id: number, req: ResetRequest): Promise<ResetOutcome> {
    const m = this.machine(id);
    if (this.running.has(id)) throw errors.conflict("reset_in_progress", `${m.name} is already being reset`);
    const progress: ResetProgress = { step: "starting", startedAt: this.now(), historyId: null, source: req.source };
    this.running.set(id, progress);
    try {
      let before: MachineHostStatus | undefined;
      try {
        before = (await this.status.get()).machines.find((s) => s.id === id);
      } catch {
        before = undefined; // the reset may be exactly what fixes a host that cannot report
      }
      const startedAt = this.now();
      // Written before the host is touched: a reset that cannot be recorded does not run.
      const historyId = this.history.start({
        machineId: id,
        machineName: m.name,
        source: req.source,
        requestedBy: req.requestedBy,
        batchId: req.batchId ?? null,
        startedAt,
        stateBefore: before?.state ?? null,
        usedBefore: before?.usedSectors ?? null,
        totalBefore: before?.totalSectors ?? null,
      });
      progress.historyId = historyId;
      let report: ResetReport | undefined;
      let hostError: { step: string; message: string } | undefined;
      try {
        report = await this.host.reset(id, (step) => (progress.step = step));
      } catch (e) {
        hostError = { step: (e as { step?: string }).step ?? "host", message: errorText(e) };
      }
      const endedAt = this.now();
      const result = {
        endedAt,
        result: report?.ok ? ("ok" as const) : ("failed" as const),
        outcome: (report?.outcome ?? "unknown") as ResetOutcome["outcome"],
        failedStep: report?.failedStep ?? hostError?.step ?? null,
        error: report?.error ?? hostError?.message ?? null,
        steps: report ? [...report.steps, ...report.recovery] : [],
      };
      this.finishHistory(historyId, result);
      return {
        machineId: id,
        name: m.name,
        historyId,
        ok: result.result === "ok",
        outcome: result.outcome,
        failedStep: result.failedStep,
        error: result.error,
        durationMs: endedAt - startedAt,
        usedBefore: before?.usedSectors ?? null,
      };
    } finally {
      this.running.delete(id);
      this.status.invalidate();
    }
  }

  private finishHistory(id: number, r: Parameters<HistoryRepo["finish"]>[1]): void {
    try {
      this.history.finish(id, r);
    } catch (e) {
      // One retry (SQLITE_BUSY beyond busy_timeout); a row still 'running' is marked interrupted at next start.
      console.error(`cowherd: could not complete history row ${id}: ${errorText(e)}; retrying`);
      this.history.finish(id, r);
    }
  }

  /** Resets many PCs with bounded concurrency; a PC already being reset is refused, not queued. */
  async resetMany(ids: number[], req: Omit<ResetRequest, "batchId">, concurrency = this.config.resetConcurrency) {
    const unique = [...new Set(ids)];
    unique.forEach((id) => this.machine(id)); // reject unknown ids before touching anything
    const batchId = randomUUID();
    const results: BulkItem[] = new Array(unique.length);
    let next = 0;
    const worker = async () => {
      while (next < unique.length) {
        const i = next++;
        const id = unique[i]!;
        try {
          results[i] = await this.resetOne(id, { ...req, batchId });
        } catch (e) {
          results[i] = { machineId: id, name: this.machine(id).name, ok: false, refused: true, error: errorText(e) };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, unique.length) }, worker));
    const ok = results.filter((r) => r.ok).length;
    return { batchId, results, summary: { requested: unique.length, ok, failed: unique.length - ok } };
  }
}
