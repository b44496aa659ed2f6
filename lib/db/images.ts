import type Database from "better-sqlite3";
import type { ImageAction, ImageResult } from "../constants";

export interface ImageLogRow {
  id: number;
  host: string;
  /** The group's line of versions: '' for the group on storage.master (see lib/images/lines.ts). */
  line: string;
  action: ImageAction;
  n: number | null;
  machineId: number | null;
  actor: string | null;
  comment: string | null;
  startedAt: number;
  endedAt: number | null;
  result: ImageResult;
  error: string | null;
}

export interface VersionNote {
  comment: string | null;
  author: string | null;
  createdAt: number;
}

const LOG_COLUMNS = `id, host, line, action, n, machine_id AS machineId, actor, comment, started_at AS startedAt, ended_at AS endedAt, result, error`;

/** Comments and authors of image versions, and the log of every image step. */
export class ImageRepo {
  constructor(private readonly db: Database.Database) {}

  setNote(host: string, line: string, n: number, note: { comment: string | null; author: string | null }, at: number): void {
    this.db
      .prepare(
        "INSERT INTO image_versions (host, line, n, comment, author, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (host, line, n) DO UPDATE SET comment = excluded.comment, author = excluded.author",
      )
      .run(host, line, n, note.comment, note.author, at);
  }

  notes(host: string, line: string): Map<number, VersionNote> {
    const rows = this.db
      .prepare("SELECT n, comment, author, created_at AS createdAt FROM image_versions WHERE host = ? AND line = ?")
      .all(host, line) as (VersionNote & {
      n: number;
    })[];
    return new Map(rows.map(({ n, ...note }) => [n, note]));
  }

  start(
    e: { host: string; line?: string; action: ImageAction; n?: number | null; machineId?: number | null; actor: string | null; comment?: string | null },
    at: number,
  ): number {
    return Number(
      this.db
        .prepare(
          "INSERT INTO image_log (host, line, action, n, machine_id, actor, comment, started_at) VALUES (@host, @line, @action, @n, @machineId, @actor, @comment, @at)",
        )
        .run({ line: "", n: null, machineId: null, comment: null, ...e, at }).lastInsertRowid,
    );
  }

  setVersion(id: number, n: number): void {
    this.db.prepare("UPDATE image_log SET n = ? WHERE id = ?").run(n, id);
  }

  /** Ends a step; `n` and `comment` fill in what became known on the way (a publish's version and comment). */
  finish(id: number, result: Exclude<ImageResult, "running">, at: number, error: string | null = null, n?: number, comment?: string | null): void {
    this.db
      .prepare("UPDATE image_log SET result = ?, ended_at = ?, error = ?, n = COALESCE(?, n), comment = COALESCE(?, comment) WHERE id = ?")
      .run(result, at, error, n ?? null, comment ?? null, id);
  }

  get(id: number): ImageLogRow | undefined {
    return this.db.prepare(`SELECT ${LOG_COLUMNS} FROM image_log WHERE id = ?`).get(id) as ImageLogRow | undefined;
  }

  /** The newest steps first. */
  recent(limit = 50): ImageLogRow[] {
    return this.db.prepare(`SELECT ${LOG_COLUMNS} FROM image_log ORDER BY started_at DESC, id DESC LIMIT ?`).all(limit) as ImageLogRow[];
  }

  /**
   * The comment given when the update of version n on a host was started (the default for its
   * publish). While its copy runs, the update's row has no version yet: it is the running one.
   */
  updateComment(host: string, line: string, n: number): string | null {
    return (
      (this.db
        .prepare(
          "SELECT comment FROM image_log WHERE host = ? AND line = ? AND action = 'update' AND (n = ? OR (n IS NULL AND result = 'running')) ORDER BY id DESC LIMIT 1",
        )
        .pluck()
        .get(host, line, n) as string | null | undefined) ?? null
    );
  }

  /** Steps a stopped process left running (an update's copy dies with its agent's request). */
  markInterrupted(now: number): number {
    return this.db
      .prepare("UPDATE image_log SET result = 'interrupted', ended_at = ?, error = 'Cowherd stopped while this step was running' WHERE result = 'running'")
      .run(now).changes;
  }
}
