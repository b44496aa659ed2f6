import type { FsPort } from "./fs-port";

/** What a reset in progress records about one PC, so a later process can tell and repair it. */
export interface JournalEntry {
  pid: number;
  startedAt: number;
  step: string;
}

/**
 * Reset journals in /run/cowherd: written (atomically: temp file, then rename) before a PC's first
 * destructive step, updated per step, removed only once the PC is consistent again. A journal left
 * behind names a reset that a dead process did not finish. Reads never touch journals.
 */
export class Journal {
  constructor(
    private readonly fs: FsPort,
    private readonly dir: string,
  ) {}

  private file(id: number): string {
    return `${this.dir}/reset-${id}.json`;
  }

  write(id: number, entry: JournalEntry): void {
    this.fs.mkdirp(this.dir);
    this.fs.writeAtomic(this.file(id), JSON.stringify(entry));
  }

  read(id: number): JournalEntry | null {
    const text = this.fs.read(this.file(id));
    if (text === null) return null;
    try {
      return JSON.parse(text) as JournalEntry;
    } catch {
      return { pid: 0, startedAt: 0, step: "unknown" };
    }
  }

  remove(id: number): void {
    this.fs.remove(this.file(id));
  }

  /** Machine ids with a journal. */
  list(): number[] {
    return this.fs
      .list(this.dir)
      .map((f) => /^reset-(\d+)\.json$/.exec(f))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => Number(m[1]));
  }
}
