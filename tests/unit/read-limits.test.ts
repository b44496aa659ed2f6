import { describe, expect, it } from "vitest";
import { GET as machineUsageGet } from "@/app/api/machines/[id]/usage/route";
import { GET as roomUsageGet } from "@/app/api/usage/route";
import { GET as historyGet } from "@/app/api/history/route";
import { GET as eventsGet } from "@/app/api/events/route";
import { GET as bootsGet } from "@/app/api/boots/route";
import { GET as auditGet } from "@/app/api/audit/route";
import { BUCKET_MS } from "@/lib/db/usage";
import { CHART_POINTS_DEFAULT, CHART_POINTS_MAX, PAGE_DEPTH_MAX, PAGE_SIZE_MAX } from "@/lib/validations/api";
import { call, eachWithAdmin } from "../helpers/routes";
import { errorShape } from "../helpers/runtime";

const t = eachWithAdmin();

const DAY = 86_400_000;
const SPIKE = 399_999;

/** 30 days of one PC's history as the sampler leaves it: 5-minute buckets, then the last day at full resolution (every 10 s), one spike in the middle. */
function fillThirtyDays(now: number): { rows: number; spikeAt: number } {
  const db = t.ctx.rt.db;
  const bucket = db.prepare("INSERT INTO usage_buckets (machine_id, at, used_max, used_last, total_last, state) VALUES (1, ?, ?, ?, 409600, 'ok')");
  const sample = db.prepare("INSERT INTO usage_samples (machine_id, at, used_sectors, total_sectors, state, online) VALUES (1, ?, ?, 409600, 'ok', 1)");
  const room = db.prepare("INSERT INTO room_samples (at, used_sectors, total_sectors, machines, online, free_bytes) VALUES (?, ?, 5734400, 14, 3, 5000000000)");
  const start = Math.ceil((now - 30 * DAY) / BUCKET_MS) * BUCKET_MS;
  const spikeAt = start + 13 * DAY + 7 * BUCKET_MS;
  let rows = 0;
  db.transaction(() => {
    for (let at = start; at < now - DAY; at += BUCKET_MS, rows++) {
      const used = at === spikeAt ? SPIKE : 1000 + (rows % 50);
      bucket.run(at, used, used);
      room.run(at, used * 14);
    }
    for (let at = now - DAY + 1; at <= now; at += 10_000, rows++) {
      sample.run(at, 2000 + (rows % 7));
      room.run(at, 2000 * 14);
    }
  })();
  return { rows, spikeAt };
}

describe("charts are folded to their width (issue 16, item 13)", () => {
  it("a 30-day series of ~17 000 rows comes back as at most `points` points that keep the spike", async () => {
    const now = Date.now();
    const { rows } = fillThirtyDays(now);
    expect(rows).toBeGreaterThan(16_000);
    for (const points of [undefined, 1000, 120]) {
      const r = await call(machineUsageGet, {
        cookie: t.admin,
        url: `/api/machines/1/usage?range=30d${points ? `&points=${points}` : ""}`,
        params: { id: "1" },
      });
      expect(r.status).toBe(200);
      const pts = r.json.points as [number, number | null, number | null, string][];
      expect(pts.length).toBeLessThanOrEqual(points ?? CHART_POINTS_DEFAULT);
      expect(pts.length).toBeGreaterThan((points ?? CHART_POINTS_DEFAULT) / 2);
      expect(Math.max(...pts.map((p) => p[1] ?? 0))).toBe(SPIKE);
      // in time order, and the newest point is the newest sample
      expect(pts.map((p) => p[0])).toEqual([...pts.map((p) => p[0])].sort((a, b) => a - b));
      expect(pts.at(-1)![0]).toBeGreaterThan(now - 20_000);
      const room = await call(roomUsageGet, { cookie: t.admin, url: `/api/usage?range=30d${points ? `&points=${points}` : ""}` });
      const rp = room.json.points as number[][];
      expect(rp.length).toBeLessThanOrEqual(points ?? CHART_POINTS_DEFAULT);
      expect(Math.max(...rp.map((p) => p[1]!))).toBe(SPIKE * 14);
    }
  });

  it(`points beyond ${CHART_POINTS_MAX}, below 2 or not a number are a 400`, async () => {
    for (const q of [`points=${CHART_POINTS_MAX + 1}`, "points=1", "points=abc", "points=-5"]) {
      const r = await call(machineUsageGet, { cookie: t.admin, url: `/api/machines/1/usage?range=30d&${q}`, params: { id: "1" } });
      expect(r.status, q).toBe(400);
      expect(r.json).toEqual(errorShape);
    }
  });
});

describe("list pages are bounded (issue 16, item 13)", () => {
  it.each([
    ["history", historyGet, "/api/history"],
    ["events", eventsGet, "/api/events"],
    ["boots", bootsGet, "/api/boots"],
    ["audit", auditGet, "/api/audit"],
  ] as const)(`%s: pageSize up to ${PAGE_SIZE_MAX} is fine, beyond is a 400; so is a page deeper than ${PAGE_DEPTH_MAX} rows`, async (_n, get, path) => {
    expect((await call(get, { cookie: t.admin, url: `${path}?pageSize=${PAGE_SIZE_MAX}` })).status).toBe(200);
    const big = await call(get, { cookie: t.admin, url: `${path}?pageSize=${PAGE_SIZE_MAX + 1}` });
    expect(big.status).toBe(400);
    expect(big.json.error.message).toMatch(new RegExp(`pageSize is at most ${PAGE_SIZE_MAX}`));
    expect((await call(get, { cookie: t.admin, url: `${path}?pageSize=200` })).status).toBe(400);
    expect((await call(get, { cookie: t.admin, url: `${path}?pageSize=100&page=${PAGE_DEPTH_MAX / 100}` })).status).toBe(200);
    const deep = await call(get, { cookie: t.admin, url: `${path}?pageSize=100&page=${PAGE_DEPTH_MAX / 100 + 1}` });
    expect(deep.status).toBe(400);
    expect(deep.json.error.message).toMatch(/page too deep/);
  });

  it("the chart's markers are capped too: the newest events of a PC, oldest first", () => {
    const base = Date.now() - DAY;
    for (let i = 0; i < 700; i++)
      t.ctx.rt.events.insert({ at: base + i * 1000, kind: "usage-warn", severity: "warn", machineId: 1, machineName: "retro-01", message: `e${i}` });
    const ev = t.ctx.rt.events.forMachine(1, base - 1, Date.now(), 500);
    expect(ev).toHaveLength(500);
    expect(ev[0]!.message).toBe("e200");
    expect(ev.at(-1)!.message).toBe("e699");
  });
});
