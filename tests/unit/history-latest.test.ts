import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { HistoryRepo } from "@/lib/db/history";
import { migrate } from "@/lib/db/migrate";

// Each PC's last reset and last good reset are read on every look at the room: their cost must not
// grow with the history (issue 16, item 1: nothing on the tick's path whose cost grows with history).
function repoWithHistory(rowsPerPc: number, pcs: number) {
  const db = new Database(":memory:");
  migrate(db);
  const repo = new HistoryRepo(db);
  let t = 1_000;
  for (let i = 0; i < rowsPerPc; i++) {
    for (let id = 1; id <= pcs; id++) {
      const row = repo.start({
        machineId: id,
        machineName: `retro-${id}`,
        source: "dashboard",
        requestedBy: "admin",
        batchId: null,
        startedAt: (t += 10),
        stateBefore: null,
        usedBefore: null,
        totalBefore: null,
      });
      repo.finish(row, { endedAt: t + 5, result: (i + id) % 3 === 0 ? "failed" : "ok", outcome: "fresh", failedStep: null, error: null, steps: [] });
    }
  }
  return { db, repo };
}

describe("each PC's last reset, on the room's tick path", () => {
  it("per-PC lookups give what the whole-history query gives", () => {
    const { repo } = repoWithHistory(40, 14);
    const ids = Array.from({ length: 14 }, (_, i) => i + 1);
    const names = new Map(ids.map((id) => [id, `retro-${id}`]));
    expect(repo.latestByMachine(ids)).toEqual(repo.latestByMachine());
    expect(repo.lastOkByMachine(names)).toEqual(repo.lastOkByMachine());
    // A PC whose id now has another name has no last good reset of its own.
    expect(repo.lastOkByMachine(new Map([[3, "retro-003"]])).size).toBe(0);
  });

  it("reads one index entry a PC: the plans search an index, never scan the resets", () => {
    const { db } = repoWithHistory(5, 3);
    const plan = (sql: string, ...args: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(" | ");
    const latest = plan("SELECT * FROM resets WHERE machine_id = ? ORDER BY id DESC LIMIT 1", 1);
    const lastOk = plan(
      "SELECT started_at AS at FROM resets WHERE machine_id = ? AND machine_name = ? AND result = 'ok' ORDER BY started_at DESC LIMIT 1",
      1,
      "retro-1",
    );
    for (const p of [latest, lastOk]) {
      expect(p).toMatch(/SEARCH resets USING (COVERING )?INDEX/);
      expect(p).not.toMatch(/SCAN|TEMP B-TREE/);
    }
  });
});
