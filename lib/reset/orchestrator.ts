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
    const [item] = await this.resetGroup([id], req);
    if ("refused" in item!) throw errors.conflict("reset_in_progress", item.error);
    return item!;
  }

  /**
   * Resets a group of PCs together: each is claimed (or refused when already being reset), its
   * history row written before the host is touched, then the host resets them — in one helper call
   * when the host can batch — and every row is completed whatever happened.
   */
  private async resetGroup(ids: number[], req: ResetRequest): Promise<BulkItem[]> {
    ids.forEach((id) => this.machine(id)); // unknown ids: nothing claimed, nothing written
    const claimed: number[] = [];
    const refused = new Map<number, BulkItem>();
    for (const id of ids) {
      const m = this.machine(id);
      if (this.running.has(id)) refused.set(id, { machineId: id, name: m.name, ok: false, refused: true, error: `${m.name} is already being reset` });
      else {
        this.running.set(id, { step: "starting", startedAt: this.now(), historyId: null, source: req.source });
        claimed.push(id);
      }
    }
    try {
      let before: Map<number, MachineHostStatus> = new Map();
      try {
        before = new Map((await this.status.get()).machines.map((s) => [s.id, s]));
      } catch {
        // the reset may be exactly what fixes a host that cannot report
      }
      const startedAt = this.now();
      // Written before the host is touched: a reset that cannot be recorded does not run.
      try {
        for (const id of claimed) {
          const b = before.get(id);
          this.running.get(id)!.historyId = this.history.start({
            machineId: id,
            machineName: this.machine(id).name,
            source: req.source,
            requestedBy: req.requestedBy,
            batchId: req.batchId ?? null,
            startedAt,
            stateBefore: b?.state ?? null,
            usedBefore: b?.usedSectors ?? null,
            totalBefore: b?.totalSectors ?? null,
          });
        }
      } catch (e) {
        for (const id of claimed) {
          const historyId = this.running.get(id)?.historyId;
          if (historyId != null) {
            this.finishHistory(historyId, { endedAt: this.now(), result: "failed", outcome: "kept-old", failedStep: "history", error: `not run: ${errorText(e)}`, steps: [] });
          }
        }
        throw e;
      }
      const reports = new Map<number, ResetReport>();
      let hostError: { step: string; message: string } | undefined;
      const onStep = (id: number, step: string) => {
        const p = this.running.get(id);
        if (p) p.step = step;
      };
      try {
        if (claimed.length > 1 && this.host.resetMany) {
          for (const r of await this.host.resetMany(claimed, onStep)) reports.set(r.id, r);
        } else {
          await Promise.all(
            claimed.map(async (id) => {
              try {
                reports.set(id, await this.host.reset(id, (step) => onStep(id, step)));
              } catch (e) {
                hostError = { step: (e as { step?: string }).step ?? "host", message: errorText(e) };
              }
            }),
          );
        }
      } catch (e) {
        hostError = { step: (e as { step?: string }).step ?? "host", message: errorText(e) };
      }
      const endedAt = this.now();
      const done = new Map<number, BulkItem>(refused);
      for (const id of claimed) {
        const report = reports.get(id);
        const result = {
          endedAt,
          result: report?.ok ? ("ok" as const) : ("failed" as const),
          outcome: (report?.outcome ?? "unknown") as ResetOutcome["outcome"],
          failedStep: report?.failedStep ?? hostError?.step ?? (report ? null : "host"),
          error: report?.error ?? hostError?.message ?? (report ? null : "the host gave no report for this PC"),
          steps: report ? [...report.steps, ...report.recovery] : [],
        };
        const historyId = this.running.get(id)!.historyId!;
        this.finishHistory(historyId, result);
        done.set(id, {
          machineId: id,
          name: this.machine(id).name,
          historyId,
          ok: result.result === "ok",
          outcome: result.outcome,
          failedStep: result.failedStep,
          error: result.error,
          durationMs: endedAt - startedAt,
          usedBefore: before.get(id)?.usedSectors ?? null,
        });
      }
      return ids.map((id) => done.get(id)!);
    } finally {
      claimed.forEach((id) => this.running.delete(id));
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

  /**
   * Resets many PCs, at most `concurrency` at a time (each group one batched call on a real host);
   * a PC already being reset is refused, not queued.
   */
  async resetMany(ids: number[], req: Omit<ResetRequest, "batchId">, concurrency = this.config.resetConcurrency) {
    const unique = [...new Set(ids)];
    unique.forEach((id) => this.machine(id)); // reject unknown ids before touching anything
    const batchId = randomUUID();
    const results: BulkItem[] = [];
    for (let i = 0; i < unique.length; i += concurrency) {
      results.push(...(await this.resetGroup(unique.slice(i, i + concurrency), { ...req, batchId })));
    }
    const ok = results.filter((r) => r.ok).length;
    return { batchId, results, summary: { requested: unique.length, ok, failed: unique.length - ok } };
  }
}
