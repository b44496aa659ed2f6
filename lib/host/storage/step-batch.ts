/**
 * Runs one reset step for all the PCs of one helper call as a single command (one `dmsetup remove`
 * for every device, one `dmsetup create --concise`), so a bulk reset before an event does not start
 * one process per PC per step. It runs once every participant has either arrived or dropped out
 * (a PC whose earlier step failed is in recovery and will not come).
 */
export class StepBatch {
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly left = new Set<number>();
  private ran = false;

  constructor(
    private readonly participants: readonly number[],
    private readonly exec: (ids: number[]) => Promise<Map<number, Error | null>>,
  ) {}

  join(id: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.maybeRun();
    });
  }

  leave(id: number): void {
    this.left.add(id);
    this.maybeRun();
  }

  private maybeRun(): void {
    if (this.ran || !this.participants.every((p) => this.waiting.has(p) || this.left.has(p))) return;
    this.ran = true;
    const ids = [...this.waiting.keys()];
    if (!ids.length) return;
    this.exec(ids).then(
      (results) => {
        for (const id of ids) {
          const err = results.get(id);
          if (err) this.waiting.get(id)!.reject(err);
          else this.waiting.get(id)!.resolve();
        }
      },
      (e: unknown) => ids.forEach((id) => this.waiting.get(id)!.reject(e instanceof Error ? e : new Error(String(e)))),
    );
  }
}
