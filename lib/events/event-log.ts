import type { DiskKind } from "../config/schema";
import { EVENT_KINDS, type EventKind, type Severity } from "../constants";
import type { EventRepo, EventRow, NewEvent } from "../db/events";

/** A condition as derived now: raised once when it starts holding, cleared when it stops. */
export interface Condition {
  key: string;
  kind: EventKind;
  severity?: Severity;
  machineId?: number;
  machineName?: string;
  host?: string;
  message: string;
  detail?: Record<string, unknown>;
}

export const conditionKey = (kind: EventKind, scope: string) => `${kind}:${scope}`;

/** A PC disk's condition scope: `pc:<id>` for its system disk (as before game disks), `pc:<id>:game` for its game disk. */
export const diskScope = (id: number, disk: DiskKind = "system") => (disk === "game" ? `pc:${id}:game` : `pc:${id}`);

/**
 * The one way events are written. A condition is one row (and one notification) from when it
 * starts holding until it clears — however often it is seen in between, and across restarts (open
 * rows are read back at start). Occurrences (a PC came online, a reset failed) are a row each.
 * Every new row goes to `notify` (the notifier decides who hears of it).
 */
export class EventLog {
  private readonly openRows = new Map<string, EventRow>();

  constructor(
    private readonly repo: EventRepo,
    private readonly notify: (e: EventRow) => void,
    private readonly now: () => number = Date.now,
  ) {
    for (const r of repo.open()) this.openRows.set(r.conditionKey!, r);
  }

  isOpen(key: string): boolean {
    return this.openRows.has(key);
  }

  openKeys(): string[] {
    return [...this.openRows.keys()];
  }

  /** Raises a condition unless it is open already; the new row, or null. */
  raise(c: Condition): EventRow | null {
    if (this.openRows.has(c.key)) return null;
    const row = this.repo.insert({
      at: this.now(),
      kind: c.kind,
      severity: c.severity ?? EVENT_KINDS[c.kind].severity,
      machineId: c.machineId ?? null,
      machineName: c.machineName ?? null,
      host: c.host ?? null,
      message: c.message,
      detail: c.detail ?? null,
      conditionKey: c.key,
    });
    this.openRows.set(c.key, row);
    this.notify(row);
    return row;
  }

  clear(key: string): boolean {
    if (!this.openRows.has(key)) return false;
    this.repo.clear(key, this.now());
    this.openRows.delete(key);
    return true;
  }

  /**
   * What holds now, for the conditions that were looked at (`inScope`): new ones are raised, open
   * ones in scope that no longer hold are cleared; conditions out of scope (a PC whose host does not
   * answer, say) are left as they are.
   */
  sync(active: readonly Condition[], inScope: (key: string) => boolean): { raised: EventRow[]; cleared: string[] } {
    const holding = new Set(active.map((c) => c.key));
    const cleared = [...this.openRows.keys()].filter((k) => inScope(k) && !holding.has(k));
    cleared.forEach((k) => this.clear(k));
    const raised = active.map((c) => this.raise(c)).filter((r): r is EventRow => r !== null);
    return { raised, cleared };
  }

  /** A single occurrence. */
  record(e: Omit<NewEvent, "at" | "severity" | "conditionKey"> & { severity?: Severity }): EventRow {
    const row = this.repo.insert({ ...e, at: this.now(), severity: e.severity ?? EVENT_KINDS[e.kind].severity });
    this.notify(row);
    return row;
  }
}
