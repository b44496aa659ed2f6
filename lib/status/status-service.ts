import { errorText } from "../host/step-error";
import type { Host, HostStatus } from "../host/types";

/** How many times a caller whose read was overtaken by a change (invalidate) asks again before it takes what it has. */
const STALE_RETRIES = 2;

/**
 * One host's status: one read serves every caller within ttlMs, and concurrent callers share the
 * read in flight, so host work stays flat however many dashboards and CowBell clients poll. The
 * last good read is kept, so a host that stops answering still shows what it last said, and when.
 *
 * A read begun before a change on the host (a reset, a grow: `invalidate`) and ended after it says
 * how the host was before the change: it is neither kept nor handed to its callers, who read again.
 */
export class StatusService {
  reads = 0;
  private cached: { at: number; gen: number; value: HostStatus } | undefined;
  private inflight: { gen: number; promise: Promise<HostStatus> } | undefined;
  private gen = 0;
  /** The generation lastGood was read in: an older read never replaces it. */
  private goodGen = -1;
  /** The newest successful read of the current state (never one overtaken by a change). */
  lastGood: HostStatus | null = null;
  /** Set while reads fail: the first failure's time and the latest reason. */
  failing: { since: number; message: string } | null = null;

  constructor(
    readonly host: Host,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The host's status as it is since the last change (a read overtaken by one is done again). */
  async get(): Promise<HostStatus> {
    for (let tries = 0; ; tries++) {
      const gen = this.gen;
      let value: HostStatus;
      try {
        value = await this.read();
      } catch (e) {
        if (gen === this.gen || tries >= STALE_RETRIES) throw e;
        continue;
      }
      // Still overtaken after the retries (changes coming faster than reads): the newest there is.
      if (gen === this.gen || tries >= STALE_RETRIES) return gen < this.goodGen && this.lastGood ? this.lastGood : value;
    }
  }

  /** One read for the current generation: the cached one, the one in flight, or a new one. */
  private read(): Promise<HostStatus> {
    const c = this.cached;
    if (c && c.gen === this.gen && this.now() - c.at < this.ttlMs) return Promise.resolve(c.value);
    if (this.inflight && this.inflight.gen === this.gen) return this.inflight.promise;
    const gen = this.gen;
    this.reads++;
    // A host that throws at once fails like one that rejects: recorded as failing, never a throw here.
    const promise = new Promise<HostStatus>((resolve) => resolve(this.host.status())).then(
      (value) => {
        if (gen === this.gen) {
          this.cached = { at: this.now(), gen, value };
          this.lastGood = value;
          this.goodGen = gen;
          this.failing = null;
        }
        return value;
      },
      (e: unknown) => {
        // A failure older than the last good read says nothing about the host now.
        if (gen >= this.goodGen) this.failing = { since: this.failing?.since ?? this.now(), message: errorText(e) };
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
