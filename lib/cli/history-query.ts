// `history`'s filters, read from the command line and checked before any request (a typo names the
// values it could have been), and its reading of GET /api/history page by page up to the last N.
import { RESET_RESULTS, RESET_SOURCES, type ResetResult, type ResetSource } from "../constants";
import type { ResetRow } from "../db/history";
import { flagValues } from "./flags";
import { PAGE_DEPTH_MAX, PAGE_SIZE_MAX } from "../validations/api";

export const HISTORY_DEFAULT_LAST = 20;

export interface HistoryArgs {
  last: number;
  /** An id or a name, as typed: the caller resolves it against the room. */
  machine?: string;
  result?: ResetResult;
  source?: ResetSource;
}

export class HistoryArgsError extends Error {}

/** `--last`, `--machine`, `--result`, `--source` (each once, each with a value); null when the args do not have that shape. */
export function parseHistoryArgs(args: string[]): HistoryArgs | null {
  const got = flagValues(args, ["--last", "--machine", "--result", "--source"]);
  if (!got) return null;
  const out: HistoryArgs = { last: HISTORY_DEFAULT_LAST };
  if (got["--last"] !== undefined) {
    const n = /^[1-9][0-9]{0,4}$/.test(got["--last"]) ? Number(got["--last"]) : NaN;
    if (!(n <= PAGE_DEPTH_MAX)) throw new HistoryArgsError(`--last ${got["--last"]}: a number of resets from 1 to ${PAGE_DEPTH_MAX}`);
    out.last = n;
  }
  if (got["--machine"] !== undefined) out.machine = got["--machine"];
  const oneOf = <T extends string>(flag: string, allowed: readonly T[]): T | undefined => {
    const v = got[flag];
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) throw new HistoryArgsError(`${flag} ${v}: expected one of ${allowed.join(", ")}`);
    return v as T;
  };
  out.result = oneOf("--result", RESET_RESULTS);
  out.source = oneOf("--source", RESET_SOURCES);
  return out;
}

export interface HistoryPage {
  resets: ResetRow[];
  total: number;
}

/** The newest `last` resets matching the filters, newest first, and how many match in all. */
export async function lastResets(
  get: (urlPath: string) => Promise<HistoryPage>,
  q: { last: number; machineId?: number; result?: ResetResult; source?: ResetSource },
): Promise<HistoryPage> {
  const pageSize = Math.min(q.last, PAGE_SIZE_MAX);
  const resets: ResetRow[] = [];
  let total = 0;
  for (let page = 1; resets.length < q.last; page++) {
    const params = new URLSearchParams({ page: String(page), pageSize: String(pageSize) });
    if (q.machineId !== undefined) params.set("machine", String(q.machineId));
    if (q.result) params.set("result", q.result);
    if (q.source) params.set("source", q.source);
    const r = await get(`/api/history?${params}`);
    total = r.total;
    resets.push(...r.resets);
    if (r.resets.length < pageSize || page * pageSize >= total) break;
  }
  return { resets: resets.slice(0, q.last), total };
}
