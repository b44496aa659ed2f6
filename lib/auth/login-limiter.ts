/**
 * Slows password guessing: after `free` failures for an account name (existing or not, so the
 * answer reveals nothing) or a source address, each further attempt must wait 2^(n-free) seconds,
 * capped at maxDelayMs. Failures are forgotten after windowMs without one; a success clears the
 * account's and the address's count.
 */
export interface LimiterOptions {
  free: number;
  maxDelayMs: number;
  windowMs: number;
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

  private keys(username: string, address: string | null): string[] {
    return [`user:${username.toLowerCase()}`, ...(address ? [`addr:${address}`] : [])];
  }

  private delayFor(failures: number): number {
    if (failures < this.opts.free) return 0;
    return Math.min(this.opts.maxDelayMs, 1000 * 2 ** (failures - this.opts.free));
  }

  /** Milliseconds to wait before another attempt is allowed (0 = go ahead). */
  retryAfter(username: string, address: string | null): number {
    const t = this.now();
    let wait = 0;
    for (const k of this.keys(username, address)) {
      const e = this.entries.get(k);
      if (!e) continue;
      if (t - e.last > this.opts.windowMs) {
        this.entries.delete(k);
        continue;
      }
      wait = Math.max(wait, e.last + this.delayFor(e.failures) - t);
    }
    return Math.max(0, wait);
  }

  failed(username: string, address: string | null): void {
    const t = this.now();
    for (const k of this.keys(username, address)) {
      const e = this.entries.get(k);
      this.entries.set(k, { failures: (e && t - e.last <= this.opts.windowMs ? e.failures : 0) + 1, last: t });
    }
    if (this.entries.size > 10_000) this.prune();
  }

  succeeded(username: string, address: string | null): void {
    for (const k of this.keys(username, address)) this.entries.delete(k);
  }

  prune(): void {
    const t = this.now();
    for (const [k, e] of this.entries) if (t - e.last > this.opts.windowMs) this.entries.delete(k);
  }
}
