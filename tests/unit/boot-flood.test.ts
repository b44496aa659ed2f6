import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import http, { type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bootFailed, bootScriptFor, type BootRequest } from "@/lib/boot/handlers";
import { BOOT_MIN_GAP_MS } from "@/lib/boot/tracker";
import { BootRepo, LATEST_BY_MACHINE } from "@/lib/db/boots";
import { migrate, migrationsDir } from "@/lib/db/migrate";
import { createHttpServer, type FrontLimits } from "@/lib/server/http-server";
import { get, listen } from "../helpers/http";
import { testRuntime } from "../helpers/runtime";

const IPXE_UA = "iPXE/1.21.1+ (g4bd064de)";
let ctx: Awaited<ReturnType<typeof testRuntime>>;
let server: Server;
let port: number;

beforeEach(async () => {
  ctx = await testRuntime();
  await front();
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  ctx.cleanup();
});

/** The real HTTP front on loopback (again, with other limits). */
async function front(limits: Partial<FrontLimits> = {}) {
  if (server?.listening) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  server = createHttpServer(ctx.rt, async (_req, res) => void res.end("next"), false, limits);
  port = await listen(server);
}
const NO_BUDGET = { bootBudget: { burst: 1e9, perSecond: 0 } };

const bootRows = (machineId?: number) => ctx.rt.boots.list({ machineId, page: 1, pageSize: 200 });
const auditRows = (action: string) => ctx.rt.audit.list({ action, page: 1, pageSize: 200 }).rows;

/** `n` GETs of the boot routes from one PC over 8 keep-alive connections, as fast as the server answers. */
async function flood(n: number, paths: string[], from = "127.0.0.42"): Promise<{ path: string; status: number }[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8, localAddress: from });
  let next = 0;
  const answers: { path: string; status: number }[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < n) {
        const path = paths[next++ % paths.length]!;
        answers.push({ path, status: (await get(port, path, { agent, headers: { "user-agent": IPXE_UA } })).status });
      }
    }),
  );
  agent.destroy();
  return answers;
}
const FLOOD_PATHS = ["/boot/ipxe", "/boot/failed?step=sanboot&errno=0x0e0a6003", "/boot/failed?errno=0x0e0a6003"];

/**
 * Sets the clock the boot tracker and the audit log read (the handlers' notion of "now"), so a flood
 * that happens to cross a wall-clock minute is still one minute of audit grouping.
 */
function clock(start: number) {
  const c = { now: start };
  (ctx.rt.bootTracker as unknown as { now: () => number }).now = () => c.now;
  (ctx.rt.audit as unknown as { now: () => number }).now = () => c.now;
  return c;
}

describe("a PC flooding its boot routes", () => {
  it("through the real front, with no request budget: a boot is one row, the repeats counted on it, and the audit log gets a handful of rows", async () => {
    await front(NO_BUDGET);
    clock(Date.now()); // the whole flood falls within one boot
    const answers = await flood(3000, FLOOD_PATHS);
    expect(answers.length).toBe(3000);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const { rows, total } = bootRows();
    expect(total).toBe(1);
    expect(rows[0]).toMatchObject({ machineId: 2, result: "failed", failedStep: "sanboot" });
    // The fetch that started it and the report that ended it, and every other request counted.
    expect(rows[0]!.repeats).toBe(3000 - 2);
    ctx.rt.audit.flush(true);
    const failed = auditRows("boot.failed");
    expect(failed.length).toBeLessThanOrEqual(2);
    expect(failed.reduce((n, r) => n + r.count, 0)).toBe(2000);
  });

  it("past its request budget a PC gets 429 at once (no hold): its burst and refill reach the handlers, nothing else", async () => {
    await front({ bootHoldMs: 0, bootBudget: { burst: 20, perSecond: 1 } });
    const t0 = Date.now();
    const answers = await flood(2000, FLOOD_PATHS);
    const seconds = (Date.now() - t0) / 1000;
    const served = answers.filter((a) => a.status === 200);
    expect(answers.filter((a) => a.status !== 200).every((a) => a.status === 429)).toBe(true);
    expect(served.length).toBeGreaterThanOrEqual(20);
    expect(served.length).toBeLessThanOrEqual(20 + Math.ceil(seconds) + 1);
    expect(bootRows().total).toBeLessThanOrEqual(1 + Math.ceil((seconds * 1000) / BOOT_MIN_GAP_MS));
    // Another PC still has its whole budget.
    expect((await get(port, "/boot/ipxe", { from: "127.0.0.43", headers: { "user-agent": IPXE_UA } })).status).toBe(200);
  });

  it("a request past the budget is held before its 429: 8 flooding connections carry one request each per hold", async () => {
    await front({ bootHoldMs: 300, bootBudget: { burst: 5, perSecond: 0 } });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8, localAddress: "127.0.0.42" });
    let sent = 0;
    const end = Date.now() + 1500;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (Date.now() < end) await get(port, "/boot/failed?errno=0x0e0a6003", { agent, headers: { "user-agent": IPXE_UA } }), sent++;
      }),
    );
    agent.destroy();
    // Unheld, this loop makes thousands of requests; held, 5 + 8 per 300 ms at most.
    expect(sent).toBeLessThanOrEqual(5 + 8 * Math.ceil(1500 / 300 + 1));
  });

  it("over a minute of requests every 50 ms: at most one boot row per BOOT_MIN_GAP_MS, and one audit row per minute", async () => {
    const c = clock(Date.UTC(2026, 11, 2, 12, 0, 0));
    const req: BootRequest = { peer: "127.0.0.43", forwardedFor: undefined, localAddress: "127.0.0.1", userAgent: IPXE_UA };
    const minute = 60_000;
    let requests = 0;
    for (; c.now < Date.UTC(2026, 11, 2, 12, 0, 0) + minute; c.now += 50, requests++) {
      if (requests % 2) bootFailed(ctx.rt, req, new URLSearchParams("step=sanboot&errno=0x0e0a6003"));
      else await bootScriptFor(ctx.rt, req);
    }
    const { total } = bootRows(3);
    expect(total).toBeGreaterThan(1); // a real retry loop is still seen, boot after boot
    expect(total).toBeLessThanOrEqual(minute / BOOT_MIN_GAP_MS);
    ctx.rt.audit.flush(true);
    const failed = auditRows("boot.failed");
    expect(failed.length).toBeLessThanOrEqual(2);
    expect(failed.reduce((n, r) => n + r.count, 0)).toBe(requests / 2);
  });

  it("requests that are not iPXE's (a browser's, curl's) get the script and write nothing", async () => {
    for (const headers of [{ "user-agent": "Mozilla/5.0", "sec-fetch-dest": "image" }, { "user-agent": IPXE_UA, "sec-fetch-mode": "no-cors" }, {}] as Record<
      string,
      string
    >[]) {
      const r = await get(port, "/boot/ipxe", { from: "127.0.0.44", headers });
      expect(r.status).toBe(200);
      expect(r.body).toContain("sanboot iscsi:");
      expect(r.body).toContain("echo Cowherd: this request is not iPXE's");
      expect((await get(port, "/boot/failed?errno=0x0e0a6003", { from: "127.0.0.44", headers })).body).toContain("could NOT boot");
    }
    expect(bootRows().total).toBe(0);
    ctx.rt.audit.flush(true);
    expect(auditRows("boot.failed")).toHaveLength(0);
    expect(ctx.rt.bootTracker.info(4).state).toBe("off");
  });
});

describe("boot history", () => {
  it("the latest boot of each PC is an indexed lookup: no step of its plan scans the boots table", () => {
    const plan = ctx.rt.db.prepare(`EXPLAIN QUERY PLAN ${LATEST_BY_MACHINE}`).all() as { detail: string }[];
    const steps = plan.map((p) => p.detail);
    expect(steps.some((d) => /^SEARCH b USING INTEGER PRIMARY KEY/.test(d))).toBe(true);
    expect(steps.filter((d) => /\bSCAN\b/.test(d))).toEqual(["SCAN l"]); // boots_latest: one row per PC
  });

  it("the grid's latest boots stay one per PC, right after 20 000 rows of history", async () => {
    const insert = ctx.rt.db.prepare("INSERT INTO boots (machine_id, machine_name, started_at, result) VALUES (?, ?, ?, 'failed')");
    ctx.rt.db.transaction(() => {
      for (let i = 0; i < 20_000; i++) insert.run((i % 3) + 1, `retro-0${(i % 3) + 1}`, i);
    })();
    ctx.rt.boots.start(2, "retro-02", 1e12);
    const latest = ctx.rt.boots.latestByMachine();
    expect([...latest.keys()].sort()).toEqual([1, 2, 3]);
    expect(latest.get(2)).toMatchObject({ startedAt: 1e12, result: "booting" });
    expect(latest.get(1)!.startedAt).toBe(19_998);
    expect((await ctx.rt.machinesView()).machines[1]!.boot.last).toMatchObject({ result: "booting" });
  });

  it("a database from before keeps each PC's last boot: the migration fills the pointers, later boots move them", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cowherd-mig-"));
    const current = migrationsDir();
    const newer = readdirSync(current).filter((f) => f >= "2026-12-02-0001-boot-limits.sql");
    for (const f of readdirSync(current)) if (!newer.includes(f)) copyFileSync(path.join(current, f), path.join(dir, f));
    const db = new Database(":memory:");
    migrate(db, dir);
    const insert = db.prepare("INSERT INTO boots (machine_id, machine_name, started_at) VALUES (?, 'x', ?)");
    for (let i = 0; i < 10; i++) insert.run((i % 3) + 1, i);
    migrate(db, current);
    const pointers = () => db.prepare("SELECT machine_id AS pc, boot_id AS boot FROM boots_latest ORDER BY machine_id").all();
    expect(pointers()).toEqual([
      { pc: 1, boot: 10 },
      { pc: 2, boot: 8 },
      { pc: 3, boot: 9 },
    ]);
    expect(new BootRepo(db).start(2, "retro-02", 100)).toBe(11);
    expect(pointers()).toEqual([
      { pc: 1, boot: 10 },
      { pc: 2, boot: 11 },
      { pc: 3, boot: 9 },
    ]);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is pruned after ipxe.keepDays, keeping each PC's newest boot", () => {
    const DAY = 86_400_000;
    const now = Date.now();
    for (const [id, ago] of [
      [1, 200],
      [1, 100],
      [1, 1],
      [2, 100],
      [2, 95],
    ] as const)
      ctx.rt.boots.start(id, `retro-0${id}`, now - ago * DAY);
    expect(ctx.rt.config.ipxe.keepDays).toBe(90);
    expect(ctx.rt.boots.prune(now - ctx.rt.config.ipxe.keepDays * DAY)).toBe(3);
    expect(bootRows(1).rows.map((r) => Math.round((now - r.startedAt) / DAY))).toEqual([1]);
    expect(bootRows(2).rows.map((r) => Math.round((now - r.startedAt) / DAY))).toEqual([95]); // its newest, however old
  });
});
