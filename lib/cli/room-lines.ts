// The shell tool's text for the room (`list`) and its resets (`history`): one line a PC or a reset,
// columns padded to what they hold so a 250-PC room still lines up. Pure: the CLI fetches, this prints.
import type { ResetRow } from "../db/history";
import type { MachineView } from "../status/machines-view";

/** What `list --json` gives a script: the line's fields, stable whatever the dashboard's view grows. */
export interface ListEntry {
  id: number;
  name: string;
  ip: string;
  /** Its PC group (config groups; "default" without them). */
  group: string;
  state: MachineView["condition"];
  percent: number | null;
  online: boolean;
  pendingReset: MachineView["pendingReset"];
  /** An admin's "keep" mark (bulk, event, scheduled and next-boot resets leave the PC alone). */
  kept: MachineView["kept"];
  /** Its game disk (its group has one): its usage and its own condition; null without one. */
  game: { percent: number | null; state: MachineView["condition"] } | null;
}

export const listEntry = (m: MachineView): ListEntry => ({
  id: m.id,
  name: m.name,
  ip: m.ip,
  group: m.group,
  state: m.condition,
  percent: m.percent,
  online: m.online,
  pendingReset: m.pendingReset,
  kept: m.kept,
  game: m.game ? { percent: m.game.percent, state: m.game.condition } : null,
});

const width = (cells: string[], title: string) => Math.max(title.length, ...cells.map((c) => c.length));

/** A percentage as `  12.3%`, or a dash when the host gave no numbers. */
export const percentCell = (p: number | null) => (p === null ? "     –" : `${p.toFixed(1).padStart(5)}%`);

/** Its marks: kept (by whom, what for) and a reset waiting for its next boot. */
function marks(e: ListEntry): string {
  const k = e.kept;
  const p = e.pendingReset;
  return [
    k ? `kept${k.keptBy || k.reason ? ` (${[k.keptBy, k.reason].filter(Boolean).join(": ")})` : ""}` : "",
    p ? `reset at next boot${p.requestedBy ? ` (${p.requestedBy})` : ""}${p.lastError ? `, last try failed: ${p.lastError}` : ""}` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

/** `list`: a header, then id, name, IP, state, usage, online and its marks (kept, reset at next boot), one line a PC. */
export function listLines(entries: ListEntry[]): string[] {
  const w = {
    name: width(
      entries.map((e) => e.name),
      "name",
    ),
    ip: width(
      entries.map((e) => e.ip),
      "ip",
    ),
    state: width(
      entries.map((e) => e.state),
      "state",
    ),
  };
  // A room with game disks gets a "games" column: the game disk's usage, "–" for a PC without one.
  const games = entries.some((e) => e.game);
  const row = (id: string, name: string, ip: string, state: string, used: string, game: string, online: string, mark: string) =>
    `${id.padStart(3)}  ${name.padEnd(w.name)}  ${ip.padEnd(w.ip)}  ${state.padEnd(w.state)}  ${used.padStart(6)}  ${games ? `${game.padStart(6)}  ` : ""}${online.padEnd(7)}  ${mark}`.trimEnd();
  return [
    row("id", "name", "ip", "state", "used", "games", "online", "marks"),
    ...entries.map((e) =>
      row(
        String(e.id),
        e.name,
        e.ip,
        e.state,
        percentCell(e.percent),
        e.game ? percentCell(e.game.percent) : "     –",
        e.online ? "online" : "offline",
        marks(e),
      ),
    ),
  ];
}

/** How a reset ended, in the words `reset` prints for its job's PCs. */
export function outcomeWords(r: { ok: boolean | null; outcome: string | null; failedStep: string | null; error: string | null }): string {
  return r.ok ? `ok (${r.outcome ?? "?"})` : `FAILED at ${r.failedStep ?? "?"}: ${r.error ?? "no reason given"} (${r.outcome ?? "?"})`;
}

const when = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

function resultWords(r: ResetRow): string {
  if (r.result === "running") return "running";
  if (r.result === "interrupted") return `interrupted (the server stopped during it)`;
  return outcomeWords({ ok: r.result === "ok", outcome: r.outcome, failedStep: r.failedStep, error: r.error });
}

/** `history`: a header, then when (UTC), PC, how it was asked for and by whom, how long, how it ended. */
export function historyLines(rows: ResetRow[]): string[] {
  const w = {
    name: width(
      rows.map((r) => r.machineName),
      "pc",
    ),
    by: width(
      rows.map((r) => `${r.source}/${r.requestedBy ?? "?"}`),
      "from",
    ),
  };
  const row = (at: string, name: string, by: string, took: string, result: string) =>
    `${at.padEnd(19)}  ${name.padEnd(w.name)}  ${by.padEnd(w.by)}  ${took.padStart(7)}  ${result}`;
  return [
    row("started (UTC)", "pc", "from", "took", "result"),
    ...rows.map((r) =>
      row(
        when(r.startedAt),
        r.machineName,
        `${r.source}/${r.requestedBy ?? "?"}`,
        r.durationMs === null ? "–" : `${(r.durationMs / 1000).toFixed(1)} s`,
        `${resultWords(r)}${r.disk ? ` [${r.disk} disk only]` : ""}`,
      ),
    ),
  ];
}
