import { StepError } from "../../lib/host/step-error";

/** What holds the per-PC flock locks (the dm worker): `lock` answers false when another process has it. */
export interface LockHolder {
  lock(path: string): Promise<boolean>;
  unlock(path: string): Promise<void>;
}

/**
 * Lock "id" of the host-wide image lock (helper/storage/images.ts). It sorts after every PC id, so
 * it is always taken last; and nothing takes a PC's lock while holding it. Resets and `up` hold it
 * only for a moment (reading the versions, attaching one, pinning it), never for their whole run.
 */
export const IMAGE_LOCK = 1_000_000;

/**
 * One rule for every mutating verb: it holds the lock of each PC it touches for its whole run — a
 * `flock` on /run/cowherd/pc-<id>.lock, so a process that dies releases it — plus an in-process
 * lock, so the agent's concurrent requests take turns per PC. Locks are taken in id order, which
 * keeps two verbs over overlapping sets of PCs from waiting on each other. Reads take none.
 */
export class PcLocks {
  private readonly tails = new Map<number, Promise<void>>();

  constructor(
    private readonly holder: LockHolder,
    private readonly stateDir: string,
    private readonly waitMs = 120_000,
    private readonly pollMs = 100,
  ) {}

  path(id: number): string {
    return id === IMAGE_LOCK ? `${this.stateDir}/images.lock` : `${this.stateDir}/pc-${id}.lock`;
  }

  /** This process holds (or waits for) the PC's lock: a verb of its own is working on it. */
  heldHere(id: number): boolean {
    return this.tails.has(id);
  }

  async with<T>(ids: readonly number[], fn: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(ids)].sort((a, b) => a - b);
    const releases: (() => void)[] = [];
    const flocked: number[] = [];
    try {
      for (const id of sorted) releases.push(await this.inProcess(id));
      for (const id of sorted) {
        await this.flock(id);
        flocked.push(id);
      }
      return await fn();
    } finally {
      for (const id of flocked.reverse()) await this.holder.unlock(this.path(id)).catch(() => undefined);
      releases.reverse().forEach((r) => r());
    }
  }

  private async inProcess(id: number): Promise<() => void> {
    const before = this.tails.get(id) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = before.then(() => mine);
    this.tails.set(id, tail);
    await before;
    return () => {
      release();
      if (this.tails.get(id) === tail) this.tails.delete(id);
    };
  }

  private async flock(id: number): Promise<void> {
    const deadline = Date.now() + this.waitMs;
    while (!(await this.holder.lock(this.path(id)))) {
      if (Date.now() >= deadline && id === IMAGE_LOCK)
        throw new StepError(
          "lock",
          `the image versions are locked by another cowherd-helper process (an update, publish or reset still running?) for over ${Math.round(this.waitMs / 1000)} s`,
        );
      if (Date.now() >= deadline)
        throw new StepError(
          "lock",
          `PC ${id} is locked by another cowherd-helper process (a reset, up, down or grow still running?) for over ${Math.round(this.waitMs / 1000)} s`,
        );
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }
}
