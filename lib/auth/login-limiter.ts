/**
 * Slows password guessing, counted two ways:
 *
 * - per SOURCE (an address, an IPv6 /64, or a known device): after `free` failures each further
 *   attempt from it waits 2, 4, 8 … s (capped at maxDelayMs). This is what hits an attacker.
 * - per ACCOUNT name (existing or not, so the answer reveals nothing): after `free` failures the
 *   account is locked the same way for every source that has not logged in to it before. A
 *   correct password from a known source (lib/auth/known-logins.ts) still gets in, so failures
 *   from elsewhere cannot lock the owner out.
 *
 * An attempt is counted BEFORE its password is checked (reserve), so parallel requests cannot all
 * slip through while the slow check runs; a success gives its reservation back. Counts are
 * forgotten after windowMs without an attempt.
 */
export interface LimiterOptions {
  free: number;
  maxDelayMs: number;
  windowMs: number;
}

export interface LimiterKeys {
  source: string;
  account: string;
}

interface Entry {
  failures: number;
  last: number;
}

export class LoginLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly opts: LimiterOptions,
    public now: () => number = Date.now,
  ) {}

  /** 2 s after `free` failures, then 4, 8 … (capped). */
  private delayFor(failures: number): number {
    if (failures < this.opts.free) return 0;
    return Math.min(this.opts.maxDelayMs, 1000 * 2 ** (failures - this.opts.free + 1));
  }

  private live(key: string, t: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && t - e.last > this.opts.windowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** Milliseconds to wait before another attempt is allowed (0 = go ahead). */
  retryAfter(keys: LimiterKeys, knownSource: boolean): number {
    const t = this.now();
    let wait = 0;
    for (const k of knownSource ? [keys.source] : [keys.source, keys.account]) {
      const e = this.live(k, t);
      const delay = e ? this.delayFor(e.failures) : 0;
      if (delay > 0) wait = Math.max(wait, e!.last + delay - t);
    }
    return Math.max(0, wait);
  }

  /**
   * Counts the attempt as a failure now, before the password is checked. Call `succeeded()` on the
   * result when it was right; a failure needs nothing more.
   */
  reserve(keys: LimiterKeys): { succeeded(): void } {
    const t = this.now();
    const taken = [keys.source, keys.account];
    for (const k of taken) {
      const e = this.live(k, t);
      this.entries.set(k, { failures: (e?.failures ?? 0) + 1, last: t });
    }
    if (this.entries.size > 10_000) this.prune();
    let done = false;
    return {
      succeeded: () => {
        if (done) return;
        done = true;
        for (const k of taken) {
          const e = this.entries.get(k);
          if (e && --e.failures <= 0) this.entries.delete(k);
        }
      },
    };
  }

  prune(): void {
    const t = this.now();
    for (const [k, e] of this.entries) if (t - e.last > this.opts.windowMs) this.entries.delete(k);
  }
}
