import type { Host, HostStatus } from "../host/types";

/**
 * One host status read serves every caller within ttlMs; concurrent callers share the read in
 * flight. Host work therefore stays flat however many dashboards and CowBell clients poll.
 */
export class StatusService {
  reads = 0;
  private cached: { at: number; gen: number; value: HostStatus } | undefined;
  private inflight: { gen: number; promise: Promise<HostStatus> } | undefined;
  private gen = 0;

  constructor(
    private readonly host: Host,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<HostStatus> {
    const c = this.cached;
    if (c && c.gen === this.gen && this.now() - c.at < this.ttlMs) return Promise.resolve(c.value);
    if (this.inflight && this.inflight.gen === this.gen) return this.inflight.promise;
    const gen = this.gen;
    this.reads++;
    const promise = this.host.status().then(
      (value) => {
        if (gen === this.gen) this.cached = { at: this.now(), gen, value };
        return value;
      },
    );
    const entry = { gen, promise };
    this.inflight = entry;
    const clear = () => {
      if (this.inflight === entry) this.inflight = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }

  /** After a change on the host: the next caller reads afresh instead of joining an older read. */
  invalidate(): void {
    this.gen++;
    this.cached = undefined;
  }
}
