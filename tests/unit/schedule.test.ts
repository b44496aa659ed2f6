import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { SchedulePanel } from "@/components/settings/schedule-panel";
import { untilText } from "@/lib/client/units";
import { afterEach, describe, expect, it, vi } from "vitest";
import { migrate, migrationsDir } from "@/lib/db/migrate";
import { scheduleView } from "@/lib/schedule/view";
import { demoConfig } from "@/lib/config/demo";
import { parseConfig } from "@/lib/config/load";
import { ScheduleRunRepo } from "@/lib/db/schedule-runs";
import { ScheduleRunner, type ScheduleDeps } from "@/lib/schedule/runner";
import { lastSlot, nextSlot } from "@/lib/schedule/slots";
import type { ConfigInput } from "@/lib/config/schema";
import { GET as scheduleGet } from "@/app/api/schedule/route";
import { adminCookie, call } from "../helpers/routes";
import { spyOnResets, testRuntime } from "../helpers/runtime";

// Only Date is faked: the clock the rules, the boot tracker and the simulated host read. Timers stay real.
let ctx: Awaited<ReturnType<typeof testRuntime>> | undefined;
afterEach(() => {
  ctx?.cleanup();
  ctx = undefined;
  vi.useRealTimers();
});

/** A local time of day on day `day` of December 2026 (the rules use the server's local time). */
const at = (day: number, h: number, m: number, s = 0) => new Date(2026, 11, day, h, m, s).getTime();

async function room(schedule: ConfigInput["schedule"], start: number) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(start);
  ctx = await testRuntime({}, { schedule });
  return { ...ctx, calls: spyOnResets(ctx.sim) };
}

/** A runner as a restarted process has it: nothing in memory, the same database. */
function restarted(deps: Partial<ScheduleDeps> = {}) {
  const rt = ctx!.rt;
  return new ScheduleRunner({ ...rt, runs: new ScheduleRunRepo(rt.db), imageAudit: () => () => undefined, ...deps });
}

/** Sets PCs' sessions and lets the boot tracker look (as the room watch does). */
async function sessions(online: boolean, ...ids: number[]) {
  for (const id of ids) ctx!.sim.setMachine(id, { online });
  ctx!.rt.room.invalidate("local");
  ctx!.rt.bootTracker.observe(await ctx!.rt.room.read());
}

const settle = async () => {
  for (const j of ctx!.rt.orchestrator.progress().values()) await ctx!.rt.orchestrator.wait(j.jobId);
};
const scheduleRows = () => ctx!.rt.history.list({ source: "schedule", page: 1, pageSize: 100 }).rows;
const mark = { keptBy: "admin", keptAt: 0, reason: "installer" };

describe("daily reset at a time of day", () => {
  it("resets only the PCs that are off and not kept, once per slot, and a restart does not run the slot again", async () => {
    const { rt, calls } = await room({ dailyReset: { at: "06:00" } }, at(1, 5, 50));
    await sessions(true, 3, 4);
    rt.keeps.set(5, mark);
    await rt.schedule.tick(); // a new rule: waits for the next 06:00
    expect(calls).not.toHaveBeenCalled();
    expect(rt.schedule.last("daily-reset")?.summary).toMatch(/first run is at the next 06:00/);
    expect(rt.audit.list({ action: "server.start", page: 1, pageSize: 1 }).rows[0]!.detail).toMatch(/, schedule: daily reset 06:00 \(.+\)$/);

    vi.setSystemTime(at(1, 5, 59, 50));
    await rt.schedule.tick();
    expect(calls).not.toHaveBeenCalled();

    vi.setSystemTime(at(1, 6, 0, 20));
    await rt.schedule.tick();
    await settle();
    const ids = calls.mock.calls.flatMap((c) => c[0]).sort((a, b) => a - b);
    expect(ids).toEqual([1, 2, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    const last = rt.schedule.last("daily-reset")!;
    expect(last.summary).toMatch(/^Reset 11 PC\(s\)/);
    expect(last.summary).toMatch(/skipped 2 up \(never reset by a schedule\): retro-03, retro-04/);
    expect(last.summary).toMatch(/skipped 1 kept: retro-05/);
    expect(scheduleRows().map((r) => [r.machineId, r.source, r.batchId, r.requestedBy])).toHaveLength(11);
    expect(scheduleRows().every((r) => r.batchId === last.batchId && r.requestedBy === "schedule (daily 06:00)" && r.result === "ok")).toBe(true);

    calls.mockClear();
    vi.setSystemTime(at(1, 6, 5));
    await rt.schedule.tick();
    await restarted().tick();
    expect(calls).not.toHaveBeenCalled();

    vi.setSystemTime(at(2, 6, 0, 10));
    await restarted().tick();
    await settle();
    expect(calls.mock.calls.flat(2)).toHaveLength(11);
  });

  it("a slot missed while Cowherd was down runs once at the next start and says it ran late; only the newest slot", async () => {
    const { rt, calls } = await room({ dailyReset: { at: "06:00" } }, at(1, 6, 0, 5));
    new ScheduleRunRepo(rt.db).record({ rule: "daily-reset", slot: at(1, 6, 0), ranAt: at(1, 6, 0), summary: "x", batchId: null });
    vi.setSystemTime(at(4, 9, 30)); // down on the 2nd, 3rd and 4th at 06:00
    const r = restarted();
    await r.tick();
    await r.tick();
    await settle();
    expect(calls).toHaveBeenCalledTimes(1);
    expect(r.last("daily-reset")).toMatchObject({
      slot: at(4, 6, 0),
      summary: expect.stringMatching(/^Ran late \(Cowherd was not running at 06:00\)\. Reset 14 PC/),
    });
  });

  it("right after a start, before the boot tracker has looked, a PC with a session on its target is up, not reset", async () => {
    const { rt, calls } = await room({ dailyReset: { at: "06:00" } }, at(1, 5, 0));
    await rt.schedule.tick();
    ctx!.sim.setMachine(6, { online: true }); // the tracker has not seen it: it says off
    rt.room.invalidate("local");
    expect(rt.bootTracker.info(6).state).toBe("off");
    vi.setSystemTime(at(1, 6, 0, 1));
    await rt.schedule.tick();
    await settle();
    expect(calls.mock.calls.flat(2)).not.toContain(6);
    expect(rt.schedule.last("daily-reset")!.summary).toMatch(/skipped 1 up \(never reset by a schedule\): retro-06/);
  });

  it("a host that does not answer: its PCs are skipped, with why", async () => {
    const { rt, calls } = await room({ dailyReset: { at: "06:00" } }, at(1, 5, 0));
    await rt.schedule.tick();
    vi.setSystemTime(at(1, 6, 0, 1));
    const down = restarted({
      room: { read: async () => (await rt.room.read()).map((h) => ({ ...h, failing: { since: 0, message: "connection refused" } })) },
    });
    await down.tick();
    expect(calls).not.toHaveBeenCalled();
    expect(down.last("daily-reset")!.summary).toMatch(/^Reset no PC; skipped 14 on host local, which does not answer \(connection refused\): retro-01, /);
  });

  it("a run whose look at the room fails says so on Settings (not 'Started'), and the slot is not run again", async () => {
    const { rt, calls } = await room({ dailyReset: { at: "06:00" } }, at(1, 5, 0));
    await rt.schedule.tick();
    vi.setSystemTime(at(1, 6, 0, 1));
    const broken = restarted({
      room: {
        read: async () => {
          throw new Error("database is locked");
        },
      },
    });
    await broken.tick();
    expect(calls).not.toHaveBeenCalled();
    expect(broken.last("daily-reset")!.summary).toBe("Failed before any reset: database is locked");
    const again = restarted();
    await again.tick();
    expect(calls).not.toHaveBeenCalled();
  });

  it("slots are the server's local time of day", () => {
    expect(lastSlot(at(3, 5, 0), "06:00")).toBe(at(2, 6, 0));
    expect(lastSlot(at(3, 6, 0), "06:00")).toBe(at(3, 6, 0));
    expect(nextSlot(at(3, 6, 0), "06:00")).toBe(at(4, 6, 0));
    expect(nextSlot(at(3, 23, 59), "00:00")).toBe(at(4, 0, 0));
  });
});

describe("reset a given time after a PC goes off", () => {
  it("waits the configured time after the PC goes off, not when it comes back before; kept PCs are skipped once, and say so", async () => {
    const { rt, calls } = await room({ afterOff: { minutes: 30 } }, at(1, 10, 0));
    for (const id of [2, 3, 5]) rt.bootTracker.booting(id, []);
    await sessions(true, 2, 3, 5);
    await rt.schedule.tick(); // seen up
    vi.setSystemTime(at(1, 11, 0));
    await sessions(false, 2, 3, 5);
    vi.setSystemTime(at(1, 11, 0, 10)); // past the tracker's debounce: off since 11:00:00
    await sessions(false);
    expect(rt.bootTracker.info(2)).toMatchObject({ state: "off", since: at(1, 11, 0) });
    rt.keeps.set(5, mark);

    vi.setSystemTime(at(1, 11, 20));
    await sessions(true, 3); // back before its 30 minutes
    await rt.schedule.tick();
    vi.setSystemTime(at(1, 11, 29, 50));
    await rt.schedule.tick();
    expect(calls).not.toHaveBeenCalled();

    vi.setSystemTime(at(1, 11, 30, 5));
    await rt.schedule.tick();
    await settle();
    expect(calls.mock.calls).toEqual([[[2]]]); // never-used PCs are not reset; 3 is up; 5 is kept
    expect(rt.schedule.last("after-off")!.summary).toBe("Reset 1 PC(s): retro-02; skipped 1 kept: retro-05.");
    expect(scheduleRows()).toEqual([expect.objectContaining({ machineId: 2, source: "schedule", requestedBy: "schedule (30 min after off)" })]);

    calls.mockClear();
    vi.setSystemTime(at(1, 13, 0));
    await rt.schedule.tick();
    await restarted().tick(); // the reset is newer than its last boot: clean, also after a restart
    expect(calls).not.toHaveBeenCalled();
  });
});

describe("update draft clean-up", () => {
  it("discards a draft untouched for N days, not a younger one, nor one whose update PC is up", async () => {
    const { rt } = await room({ draftCleanup: { days: 7 } }, at(1, 12, 0));
    const audits: string[] = [];
    const runner = restarted({ imageAudit: (host) => (outcome, detail) => audits.push(`${host} ${outcome} ${detail}`) });
    await rt.images.run("local", { op: "update", machine: 9 }, "admin", null, () => undefined);
    await rt.images.settle();
    rt.room.invalidate("local");
    const draft = async () => (await rt.images.view()).hosts[0]!.draft;
    expect(await draft()).toMatchObject({ machine: 9, startedAt: at(1, 12, 0) });

    vi.setSystemTime(at(8, 11, 59));
    await runner.tick();
    expect(await draft()).not.toBeNull();

    vi.setSystemTime(at(8, 12, 1));
    await sessions(true, 9);
    await runner.tick();
    expect(await draft()).not.toBeNull();
    expect(runner.last("draft-cleanup")!.summary).toMatch(/^Kept draft v\d+ on local \(untouched 7\+ days\): its update PC retro-09 is up$/);

    vi.setSystemTime(at(8, 12, 2));
    await sessions(false, 9);
    vi.setSystemTime(at(8, 12, 3));
    await sessions(false);
    await runner.tick();
    rt.room.invalidate("local");
    expect(await draft()).toBeNull();
    expect(runner.last("draft-cleanup")!.summary).toMatch(/^Discarded draft v\d+ on local \(update PC retro-09\)/);
    expect(audits).toEqual(["local ok draft discarded"]);
    await expect(rt.images.view().then((v) => v.log[0])).resolves.toMatchObject({ action: "discard", actor: "schedule", result: "ok" });
    const api = await call(scheduleGet, { cookie: await adminCookie() });
    expect(api.json.rules[2]).toMatchObject({ rule: "draft-cleanup", configured: true, last: { summary: expect.stringMatching(/^Discarded draft/) } });
    expect((await call(scheduleGet)).status).toBe(401);
  });
});

describe("update draft clean-up that fails", () => {
  it("says why, and tries again an hour later, not at every look", async () => {
    const { rt } = await room({ draftCleanup: { days: 7 } }, at(1, 12, 0));
    await rt.images.run("local", { op: "update", machine: 9 }, "admin", null, () => undefined);
    await rt.images.settle();
    rt.room.invalidate("local");
    const run = vi.fn(async () => {
      throw new Error("the host refused: a step is running");
    });
    const runner = restarted({ images: { view: () => rt.images.view(), run } });
    vi.setSystemTime(at(9, 0, 0));
    await runner.tick();
    expect(runner.last("draft-cleanup")!.summary).toMatch(
      /^Could not discard draft v\d+ on local \(tried again in an hour\): the host refused: a step is running$/,
    );
    vi.setSystemTime(at(9, 0, 30));
    await runner.tick();
    expect(run).toHaveBeenCalledTimes(1);
    vi.setSystemTime(at(9, 1, 0, 1));
    await runner.tick();
    expect(run).toHaveBeenCalledTimes(2);
  });
});

describe("config", () => {
  const bad = (schedule: unknown) => () => parseConfig({ ...demoConfig(), schedule });
  it("is off unless written; bad values name their key and say what is wanted", () => {
    const { schedule: _shownInTheDemo, ...unscheduled } = demoConfig();
    expect(parseConfig(unscheduled).schedule).toEqual({});
    expect(parseConfig(demoConfig()).schedule).toEqual({ afterOff: { minutes: 30 }, draftCleanup: { days: 14 } });
    expect(parseConfig({ ...demoConfig(), schedule: { dailyReset: { at: "23:30" }, afterOff: { minutes: 45 }, draftCleanup: { days: 14 } } }).schedule).toEqual(
      {
        dailyReset: { at: "23:30" },
        afterOff: { minutes: 45 },
        draftCleanup: { days: 14 },
      },
    );
    expect(bad({ dailyReset: { at: "6:00" } })).toThrow(/schedule\.dailyReset\.at: must be a time of day "HH:MM" \(24-hour, the server's local time\)/);
    expect(bad({ dailyReset: { at: "24:00" } })).toThrow(/schedule\.dailyReset\.at: must be a time of day/);
    expect(bad({ afterOff: { minutes: 0 } })).toThrow(/schedule\.afterOff\.minutes: at least 1 minute/);
    expect(bad({ afterOff: { minutes: "30" } })).toThrow(/schedule\.afterOff\.minutes: must be a number of minutes/);
    expect(bad({ draftCleanup: { days: 1.5 } })).toThrow(/schedule\.draftCleanup\.days: must be a whole number of days/);
    expect(bad({ nightly: {} })).toThrow(/schedule: Unrecognized key: "nightly"/);
  });
});

describe("the Settings panel's view", () => {
  it("each rule on or off, its next run and its last run", () => {
    const now = at(3, 7, 0);
    const last = { rule: "daily-reset", slot: at(3, 6, 0), ranAt: at(3, 6, 0, 20), summary: "Reset 2 PC(s): a, b.", batchId: "j" };
    const v = scheduleView({ dailyReset: { at: "06:00" } }, (rule) => (rule === "daily-reset" ? last : undefined), now);
    expect(v.map((r) => [r.rule, r.configured, r.nextRun, r.last?.summary ?? null])).toEqual([
      ["daily-reset", true, at(4, 6, 0), "Reset 2 PC(s): a, b."],
      ["after-off", false, null, null],
      ["draft-cleanup", false, null, null],
    ]);
    expect(v[0]!.what).toMatch(/^Every day at 06:00 \(server time, .+\): reset every PC that is off\.$/);
  });

  it("the other rules' next look is the runner's own (its last look + 30 s), not a guess on the clock", async () => {
    const { rt } = await room({ afterOff: { minutes: 30 } }, at(1, 10, 0, 7));
    const view = () => scheduleView(rt.config.schedule, (rule) => rt.schedule.last(rule), Date.now(), rt.schedule.nextLook());
    expect(rt.schedule.nextLook()).toBeNull();
    expect(view()[1]!.nextRun).toBe(at(1, 10, 0, 37)); // before its first look: at the latest 30 s on
    await rt.schedule.tick();
    vi.setSystemTime(at(1, 10, 0, 19));
    expect(view()[1]!.nextRun).toBe(at(1, 10, 0, 37));
  });
});

describe("a time still to come", () => {
  it("says how far away it is, and due once it has passed", () => {
    expect([untilText(90_000, 0), untilText(30_000, 0), untilText(3_600_000 + 120_000, 0), untilText(3 * 86_400_000, 0), untilText(0, 5_000)]).toEqual([
      "in 2 min",
      "in 30 s",
      "in 1 h 02 min",
      "in 3 d 0 h",
      "due",
    ]);
  });
});

describe("the Settings panel", () => {
  it("shows each rule, on or off, its next run and its last run with a link to the history", () => {
    const now = at(3, 7, 0);
    const last = { rule: "daily-reset", slot: at(3, 6, 0), ranAt: at(3, 6, 0, 20), summary: "Reset 2 PC(s): a, b; skipped 1 kept: c.", batchId: "j" };
    const html = renderToStaticMarkup(
      createElement(SchedulePanel, { rules: scheduleView({ dailyReset: { at: "06:00" } }, (r) => (r === "daily-reset" ? last : undefined), now), now }),
    );
    expect(html).toContain("Set in the config file (schedule)");
    expect(html).toMatch(/Daily reset <span[^>]*>on<\/span>/);
    expect(html).toMatch(/Reset after off <span[^>]*>off<\/span>/);
    // The next run is tomorrow 06:00, 23 h away: said as still to come, never "0 s ago".
    const next = html.slice(html.indexOf("Next run:"), html.indexOf("</time>", html.indexOf("Next run:")));
    expect(next).toMatch(/<span class="text-slate-500">in 23 h 00 min<\/span>$/);
    expect(next).not.toContain("ago");
    expect(html).toContain("Reset 2 PC(s): a, b; skipped 1 kept: c.");
    expect(html).toContain('href="/history?source=schedule"');
    expect(html.match(/Last run: never/g)).toHaveLength(2);
  });
});

describe("the schedule migration", () => {
  it("keeps every reset row and the boots that point at them, takes source 'schedule', and foreign keys still hold", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mig-"));
    const all = readdirSync(migrationsDir()).filter((f) => f.endsWith(".sql"));
    for (const f of all.filter((f) => f < "2026-12-03-0200")) copyFileSync(path.join(migrationsDir(), f), path.join(dir, f));
    const db = new Database(":memory:");
    db.pragma("foreign_keys = ON");
    migrate(db, dir);
    const reset = (source: string) =>
      db.prepare("INSERT INTO resets (machine_id, machine_name, source, started_at, result) VALUES (1, 'retro-01', ?, 5, 'ok')").run(source);
    expect(() => reset("schedule")).toThrow(/CHECK constraint failed/);
    const id = Number(reset("bulk").lastInsertRowid);
    db.prepare("INSERT INTO boots (machine_id, machine_name, started_at, reset_id) VALUES (1, 'retro-01', 6, ?)").run(id);
    for (const f of all.filter((f) => f <= "2026-12-03-0200-schedule.sql")) copyFileSync(path.join(migrationsDir(), f), path.join(dir, f));
    expect(migrate(db, dir)).toEqual(["2026-12-03-0200-schedule.sql"]);
    expect(db.prepare("SELECT id, source, result FROM resets").all()).toEqual([{ id, source: "bulk", result: "ok" }]);
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    reset("schedule");
    expect(() => db.prepare("INSERT INTO boots (machine_id, machine_name, started_at, reset_id) VALUES (1, 'x', 7, 999)").run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("DELETE FROM resets WHERE id = ?").run(id)).toThrow(/FOREIGN KEY/);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
