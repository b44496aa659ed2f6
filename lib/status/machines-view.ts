import type { Config } from "../config/schema";
import type { ResetRow } from "../db/history";
import type { HostStatus, MachineState } from "../host/types";
import type { ResetProgress } from "../reset/orchestrator";

/** What the grid shows: a state a person can act on, derived from the kernel's. */
export type Level = "normal" | "warn" | "danger" | "invalid" | "overflow" | "missing" | "unknown";

export interface MachineView {
  id: number;
  name: string;
  ip: string;
  dmName: string;
  state: MachineState;
  level: Level;
  usedSectors: number | null;
  totalSectors: number | null;
  percent: number | null;
  online: boolean;
  exported: boolean;
  suspended: boolean;
  lastResetAt: number | null;
  lastReset: { id: number; at: number; result: string; failedStep: string | null; error: string | null; source: string } | null;
  reset: { step: string; startedAt: number } | null;
}

export interface MachinesView {
  lanName: string;
  readAt: number;
  warnPercent: number;
  dangerPercent: number;
  machines: MachineView[];
}

export function levelOf(state: MachineState, percent: number | null, cfg: Pick<Config, "warnPercent" | "dangerPercent">): Level {
  if (state === "invalid" || state === "overflow" || state === "missing") return state;
  if (state !== "ok" || percent === null) return "unknown";
  if (percent >= cfg.dangerPercent) return "danger";
  if (percent >= cfg.warnPercent) return "warn";
  return "normal";
}

export function buildMachinesView(
  cfg: Config,
  status: HostStatus,
  lastResets: ReadonlyMap<number, ResetRow>,
  lastOk: ReadonlyMap<number, number>,
  progress: ReadonlyMap<number, ResetProgress>,
): MachinesView {
  const byId = new Map(status.machines.map((s) => [s.id, s]));
  return {
    lanName: cfg.lanName,
    readAt: status.readAt,
    warnPercent: cfg.warnPercent,
    dangerPercent: cfg.dangerPercent,
    machines: cfg.machines.map((m) => {
      const s = byId.get(m.id);
      const state: MachineState = s?.state ?? "missing";
      const used = s?.usedSectors ?? null;
      const total = s?.totalSectors ?? null;
      const percent = used !== null && total ? Math.round((used / total) * 1000) / 10 : null;
      const last = lastResets.get(m.id);
      const running = progress.get(m.id);
      return {
        id: m.id,
        name: m.name,
        ip: m.ip,
        dmName: m.dmName,
        state,
        level: levelOf(state, percent, cfg),
        usedSectors: used,
        totalSectors: total,
        percent,
        online: s?.online ?? false,
        exported: s?.exported ?? false,
        suspended: s?.suspended ?? false,
        lastResetAt: lastOk.get(m.id) ?? null,
        lastReset: last
          ? { id: last.id, at: last.startedAt, result: last.result, failedStep: last.failedStep, error: last.error, source: last.source }
          : null,
        reset: running ? { step: running.step, startedAt: running.startedAt } : null,
      };
    }),
  };
}
