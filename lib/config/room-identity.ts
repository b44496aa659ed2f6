import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Machine } from "./schema";

/** A PC's identity: its name and address (its id is only a number in the config, reused by another room). */
export const pcIdentity = (m: { name: string; ip: string }) => `${m.name} ${m.ip}`;

/** Atomic replace so a crash mid-write never leaves a torn state file. */
export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
}

/**
 * Which PC each configured id was when the data dir was last used (room.json: id → "name ip"). The
 * database keys PCs by id; a config that gives an id to another PC (a bigger room, a renumbering)
 * must not hand it the old PC's pending reset, last reset or boots.
 */
export interface RoomChanges {
  /** Ids that are the same PC as before. */
  kept: number[];
  /** Ids that now name another PC, or are gone: what they were. */
  changed: { id: number; was: string; now: string | null }[];
  /** The data dir had a record of its room (false: new, or from before there was one). */
  recorded: boolean;
}

const FILE = "room.json";

/** Compares the configured room with the one recorded in `dataDir` and records the configured one. */
export function roomChanges(dataDir: string, machines: readonly Machine[]): RoomChanges {
  let before: Record<string, string> = {};
  let recorded = false;
  try {
    const parsed = JSON.parse(readFileSync(path.join(dataDir, FILE), "utf8")) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) [before, recorded] = [parsed as Record<string, string>, true];
  } catch {
    // no record yet (a new data dir, or one from before PCs had identities): nothing to compare
  }
  const now = new Map(machines.map((m) => [String(m.id), pcIdentity(m)]));
  const kept: number[] = [];
  const changed: RoomChanges["changed"] = [];
  for (const [id, was] of Object.entries(before)) {
    if (typeof was !== "string") continue;
    if (now.get(id) === was) kept.push(Number(id));
    else changed.push({ id: Number(id), was, now: now.get(id) ?? null });
  }
  writeJsonAtomic(path.join(dataDir, FILE), Object.fromEntries(now));
  return { kept, changed, recorded };
}

/** The rows that belong to the PC configured under their id now (by the name they were written with). */
export function ofCurrentPcs<T extends { machineName: string }>(rows: ReadonlyMap<number, T>, machines: readonly Machine[]): Map<number, T> {
  const names = new Map(machines.map((m) => [m.id, m.name]));
  return new Map([...rows].filter(([id, r]) => names.get(id) === r.machineName));
}
