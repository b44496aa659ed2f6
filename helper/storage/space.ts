import path from "node:path";
import type { Machine } from "../../lib/config/schema";
import { StepError } from "../../lib/host/step-error";
import type { StoreSpace } from "../../lib/host/types";
import { reserveAllows } from "../../lib/usage/autoextend-policy";
import { MiB, type StorageContext } from "./context";

/** Free space of each filesystem holding COW files (statfs: no process), and the reserve kept on it. */
export function stores(c: StorageContext): StoreSpace[] {
  const dirs = [...new Set(c.config.machines.flatMap((m) => [m.cowPath, ...(m.game ? [m.game.cowPath] : [])]).map((p) => path.posix.dirname(p)))];
  const reserveBytes = c.config.storage.reserveMiB * MiB;
  return dirs.flatMap((dir) => {
    try {
      return [{ dir, freeBytes: c.fs.freeBytes(dir), sizeBytes: c.fs.sizeBytes(dir), reserveBytes }];
    } catch {
      return []; // not there (yet): nothing to say about it
    }
  });
}

/** Refuses to allocate past the reserve of the filesystem holding the COW: a full store kills every snapshot on it. */
export function ensureSpace(c: StorageContext, m: Machine, bytes: number, what: string): void {
  const dir = path.posix.dirname(m.cowPath);
  const { reserveMiB } = c.config.storage;
  const free = c.fs.freeBytes(dir);
  if (!reserveAllows(free, bytes, reserveMiB * MiB)) {
    throw new StepError(
      "space",
      `not enough space for ${what}: ${Math.floor(free / MiB)} MiB free on ${dir}, ${Math.ceil(bytes / MiB)} MiB needed plus the ${reserveMiB} MiB reserve (storage.reserveMiB)`,
    );
  }
}
