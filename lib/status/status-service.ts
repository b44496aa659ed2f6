import { errorText } from "../host/step-error";
import type { Host, HostStatus } from "../host/types";

/**
 * One host's status: one read serves every caller within ttlMs, and concurrent callers share the
 * read in flight, so host work stays flat however many dashboards and CowBell clients poll. The
 * last good read is kept, so a host that stops answering still shows what it last said, and when.
 */
export class StatusService {
  reads = 0;
  private cached: { at: number; gen: number; value: HostStatus } | undefined;
  private inflight: { gen: number; promise: Promise<HostStatus> } | undefined;
  private gen = 0;
  /** The newest successful read, whatever its age. */
  lastGood: HostStatus | null = null;
  /** Set while reads fail: the first failure's time and the latest reason. */
  failing: { since: number; message: string } | null = null;

  constructor(
    readonly host: Host,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<HostStatus> {
    const c = this.cached;
    if (c && c.gen === this.gen && this.now() - c.at < this.ttlMs) return Promise.resolve(c.value);
    if (this.inflight && this.inflight.gen === this.gen) return this.inflight.promise;
    const gen = this.gen;
    this.reads++;
    // A host that throws at once fails like one that rejects: recorded as failing, never a throw here.
    const promise = new Promise<HostStatus>((resolve) => resolve(this.host.status())).then(
      (value) => {
        if (gen === this.gen) this.cached = { at: this.now(), gen, value };
        this.lastGood = value;
        this.failing = null;
        return value;
      },
      (e: unknown) => {
        this.failing = { since: this.failing?.since ?? this.now(), message: errorText(e) };
        throw e;
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
