import { addressBlock } from "../net/client-address";

/**
 * How many boot-route requests one source may make: a bucket of `burst`, refilled at `perSecond`.
 * A real PC needs a handful per boot (its script, maybe a failure report) and iPXE retries a failed
 * boot after ipxe.retrySeconds (5 s at least), so anything past this is a flood.
 */
export interface BudgetLimits {
  burst: number;
  perSecond: number;
}

/** Sources tracked at once; past this, full buckets (idle sources) are forgotten first. */
const MAX_SOURCES = 10_000;

export class RequestBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limits: BudgetLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request from the source's budget: false when it has none left. */
  take(address: string | null): boolean {
    const key = addressBlock(address) ?? "-";
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.limits.burst, at: t };
    b.tokens = Math.min(this.limits.burst, b.tokens + ((t - b.at) / 1000) * this.limits.perSecond);
    b.at = t;
    if (!this.buckets.has(key)) {
      if (this.buckets.size >= MAX_SOURCES) this.forgetIdle();
      this.buckets.set(key, b);
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private forgetIdle(): void {
    const t = this.now();
    for (const [key, b] of this.buckets) if (b.tokens + ((t - b.at) / 1000) * this.limits.perSecond >= this.limits.burst) this.buckets.delete(key);
    // All of them busy: the oldest go (a Map iterates in insertion order).
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < MAX_SOURCES) break;
      this.buckets.delete(key);
    }
  }
}
