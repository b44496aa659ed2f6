/**
 * Parses `dmsetup status` output for snapshot targets, in every shape the kernel prints:
 *   single device:  "0 131072 snapshot 16/32768 16"      (target >= 1.8: alloc/total metadata)
 *                   "0 8385930 snapshot 55296/409600"     (older kernels: no metadata field)
 *                   "0 131072 snapshot Invalid" | "Overflow" | "Merge failed" | "Unknown"
 *   all devices:    "<name>: 0 131072 snapshot ..." one line per device (and per segment)
 * Kept free of imports beyond the language so the privileged helper bundles it as-is.
 */

export type SnapshotState = "ok" | "invalid" | "overflow" | "merge-failed" | "unknown";

export interface SnapshotStatus {
  state: SnapshotState;
  usedSectors?: number;
  totalSectors?: number;
  metadataSectors?: number;
}

export interface DmStatusLine {
  name?: string;
  start: number;
  length: number;
  target: string;
  params: string;
}

const LINE = /^(?:(.+?): )?(\d+) (\d+) ([A-Za-z0-9_-]+)(?: (.*))?$/;

export function parseDmStatusLine(line: string): DmStatusLine | null {
  const m = LINE.exec(line.trim());
  if (!m) return null;
  return { name: m[1], start: Number(m[2]), length: Number(m[3]), target: m[4]!, params: (m[5] ?? "").trim() };
}

export function parseSnapshotParams(params: string): SnapshotStatus {
  const p = params.trim();
  const numeric = /^(\d+)\/(\d+)(?: (\d+))?$/.exec(p);
  if (numeric) {
    const used = Number(numeric[1]);
    const total = Number(numeric[2]);
    if (Number.isSafeInteger(used) && Number.isSafeInteger(total) && total > 0) {
      return {
        state: "ok",
        usedSectors: used,
        totalSectors: total,
        ...(numeric[3] !== undefined ? { metadataSectors: Number(numeric[3]) } : {}),
      };
    }
  }
  if (p === "Invalid") return { state: "invalid" };
  if (p === "Overflow") return { state: "overflow" };
  if (p === "Merge failed") return { state: "merge-failed" };
  return { state: "unknown" };
}

/**
 * Every device from one `dmsetup status` call. Devices that are not snapshots are kept with their
 * target name so a caller can tell "missing" from "exists but is something else (error table)".
 */
export function parseDmStatusAll(output: string): Map<string, { target: string; snapshot?: SnapshotStatus }> {
  const out = new Map<string, { target: string; snapshot?: SnapshotStatus }>();
  if (/^No devices found/m.test(output)) return out;
  let current: string | undefined;
  for (const raw of output.split("\n")) {
    if (!raw.trim()) continue;
    const line = parseDmStatusLine(raw);
    if (!line) continue;
    const name = line.name ?? current;
    if (name === undefined) continue;
    current = name;
    const entry = { target: line.target, ...(line.target === "snapshot" ? { snapshot: parseSnapshotParams(line.params) } : {}) };
    // A multi-segment device is reported once; its first snapshot segment wins.
    const prev = out.get(name);
    if (!prev || (!prev.snapshot && entry.snapshot)) out.set(name, entry);
  }
  return out;
}
