/** Periodic jobs, started once per process. Timers are unref'd so they never keep a test alive. */
export interface ScheduledTask {
  name: string;
  everyMs: number;
  run: () => void | Promise<void>;
}

export class Scheduler {
  private timers: NodeJS.Timeout[] = [];
  private busy = new Set<string>();

  start(jobs: ScheduledTask[]): void {
    if (this.timers.length) return;
    for (const job of jobs) {
      const t = setInterval(async () => {
        if (this.busy.has(job.name)) return; // a slow run is never overlapped by the next one
        this.busy.add(job.name);
        try {
          await job.run();
        } catch (e) {
          console.error(`cowherd: job ${job.name} failed:`, e);
        } finally {
          this.busy.delete(job.name);
        }
      }, job.everyMs);
      t.unref();
      this.timers.push(t);
    }
  }

  stop(): void {
    this.timers.forEach(clearInterval);
    this.timers = [];
  }
}
