import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/password";
import type { ResetRow } from "@/lib/db/history";
import { testRuntime } from "../helpers/runtime";

/** A loopback port nobody listens on. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe("shell tool", () => {
  it("rotates the admin password from the shell, ends its sessions and audits it", async () => {
    const { rt, cleanup } = await testRuntime();
    const token = rt.sessions.create(1);
    const r = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", "passwd", "admin"], {
      env: { ...process.env, COWHERD_DATA_DIR: rt.dataDir, COWHERD_NEW_PASSWORD: "rotated-from-the-shell" },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(await verifyPassword("rotated-from-the-shell", rt.users.findByName("admin")!.passwordHash)).toBe(true);
    expect(rt.sessions.validate(token)).toBeUndefined();
    expect(rt.audit.list({ action: "user.password", page: 1, pageSize: 1 }).rows[0]).toMatchObject({ target: "admin", outcome: "ok", actorKind: "system" });
    const short = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", "passwd", "admin"], {
      env: { ...process.env, COWHERD_DATA_DIR: rt.dataDir, COWHERD_NEW_PASSWORD: "short" },
      encoding: "utf8",
    });
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/at least 10 characters/);
    cleanup();
  });

  it("says where it could not connect and what to set, without a stack trace", async () => {
    const port = await freePort();
    const r = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", "status"], {
      env: { ...process.env, COWHERD_URL: `http://127.0.0.1:${port}`, COWHERD_TOKEN: "cwh_x" },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^cowherd: cannot reach Cowherd at http://127.0.0.1:${port} \\(ECONNREFUSED\\).*Set COWHERD_URL`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("config-check names a bad key and exits non-zero", () => {
    const r = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", "config-check"], {
      env: { ...process.env, COWHERD_CONFIG: "deploy/sudoers.d/cowherd" },
      encoding: "utf8",
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/not valid JSON at line 1, column 1: /);
  });

  it("config errors name the key: a missing machines list says it is required", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cli-"));
    writeFileSync(path.join(dir, "c.json"), '{\n  "host": "sim"\n}\n');
    const r = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", "config-check"], {
      env: { ...process.env, COWHERD_CONFIG: path.join(dir, "c.json") },
      encoding: "utf8",
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/machines: missing: this key is required/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("shell tool: master image versions", () => {
  it("image-update waits for the copy, image-publish makes it current, images lists who sits where; refusals exit 1 in words", async () => {
    const { execFile } = await import("node:child_process");
    const { apiServer } = await import("../helpers/api-server");
    const srv = await apiServer({ COWHERD_SIM_STEP_MS: "20" });
    try {
      const token = srv.rt.tokens.create("cli", "admin", "admin", 1).token;
      const cli = (...args: string[]) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
          execFile(
            process.execPath,
            ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", ...args],
            { env: { ...process.env, COWHERD_URL: `http://127.0.0.1:${srv.port}`, COWHERD_TOKEN: token }, encoding: "utf8" },
            (e, stdout, stderr) => resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
          ),
        );
      let r = await cli("image-update", "retro-04", "--comment", "new drivers");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/v2 is ready on retro-04 \(copy\): boot it, install the updates, shut it down, then 'image-publish'/);
      // The demo room has two groups: which one's draft is published is said.
      r = await cli("image-publish");
      expect([r.code, r.stderr.trim()]).toEqual([1, "cowherd: Say which PC group: retro, newer (each has its own image versions)"]);
      r = await cli("image-publish", "--group", "retro");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/current v2/);
      expect(r.stdout).toMatch(/\* v2 .* no PC +new drivers \(token:cli\)/);
      r = await cli("image-delete", "1", "--group", "retro");
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(/^cowherd: storage host local: v1 is in use by PCs 1, 2, 3, .*: they move off it at their next reset$/);
      r = await cli("image-current", "v1");
      expect(r.code).toBe(2);
      r = await cli("images");
      expect(r.stdout).toMatch(/publish v2 by token:cli: ok "new drivers"/);
    } finally {
      await srv.close();
    }
  }, 60_000);
});

describe("shell tool: list and history", () => {
  /** The CLI as a child process against a test server in this process (so never spawnSync: it would stall the server). */
  async function cliAgainst(env: Record<string, string> = {}) {
    const { execFile } = await import("node:child_process");
    const { apiServer } = await import("../helpers/api-server");
    const srv = await apiServer(env);
    const token = srv.rt.tokens.create("cli", "admin", "admin", 1).token;
    const cli = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", ...args],
          { env: { ...process.env, COWHERD_URL: `http://127.0.0.1:${srv.port}`, COWHERD_TOKEN: token }, encoding: "utf8" },
          (e, stdout, stderr) => resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    return { srv, cli };
  }

  it("list (and ls) prints one line a PC with its state, usage, online and pending mark; --json the same fields", async () => {
    const { srv, cli } = await cliAgainst();
    try {
      srv.rt.boots.setPending(4, "admin", Date.now());
      const view = await srv.rt.machinesView();
      const r = await cli("list");
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^\s*id\s+name\s+ip\s+state\s+used\s+online\s+marks$/);
      expect(lines).toHaveLength(1 + view.machines.length);
      for (const m of view.machines) {
        const line = lines.find((l) => new RegExp(`^\\s*${m.id}\\s+${m.name}\\s`).test(l));
        expect(line, m.name).toBeDefined();
        expect(line).toContain(m.ip);
        expect(line).toContain(m.condition);
        expect(line).toContain(m.percent === null ? "–" : `${m.percent.toFixed(1)}%`);
        expect(line).toMatch(m.online ? / online / : / offline/);
        expect(/reset at next boot \(admin\)$/.test(line!)).toBe(m.id === 4);
      }
      expect((await cli("ls")).stdout).toBe(r.stdout);
      const j = await cli("ls", "--json");
      expect(j.code, j.stderr).toBe(0);
      const entries = JSON.parse(j.stdout) as { id: number; state: string; pendingReset: unknown }[];
      expect(entries.map((e) => e.id)).toEqual(view.machines.map((m) => m.id));
      expect(Object.keys(entries[0]!).sort()).toEqual(["game", "group", "id", "ip", "kept", "name", "online", "pendingReset", "percent", "state"]);
      expect(entries.find((e) => e.id === 4)!.pendingReset).toMatchObject({ requestedBy: "admin" });
      const extra = await cli("list", "extra");
      expect(extra.code).toBe(2);
      expect(extra.stderr).toMatch(/^usage: /); // a known command with an argument it does not take: the usage alone
    } finally {
      await srv.close();
    }
  }, 60_000);

  it("keep marks a PC (list shows it), a bulk reset leaves it alone and says so (exit 1), reset --kept resets it alone, unkeep removes the mark", async () => {
    const { srv, cli } = await cliAgainst();
    try {
      let r = await cli("keep", "retro-03", "--reason", "installer");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^cowherd: retro-03 is kept: bulk, event, scheduled and next-boot resets leave it alone$/m);
      expect(srv.rt.audit.list({ action: "keep.set", page: 1, pageSize: 1 }).rows[0]).toMatchObject({ actor: "token:cli", target: "retro-03" });
      r = await cli("list");
      expect(r.stdout.split("\n").find((l) => /^\s*3\s+retro-03\s/.test(l))).toMatch(/kept \(token:cli: installer\)$/);
      r = await cli("reset", "retro-02", "retro-03");
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^retro-02 +ok \(fresh\)$/m);
      expect(r.stdout).toMatch(/^retro-03 +LEFT ALONE: it is kept \('unkeep' it, or reset it alone with --kept\)$/m);
      r = await cli("reset", "--kept", "retro-02", "retro-03");
      expect(r.code).toBe(2); // --kept takes one PC
      r = await cli("reset", "--kept", "retro-03");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^retro-03 +ok \(fresh\)$/m);
      r = await cli("unkeep", "3");
      expect(r.code, r.stderr).toBe(0);
      expect(srv.rt.keeps.get(3)).toBeUndefined();
      r = await cli("unkeep", "3");
      expect([r.code, r.stderr.trim()]).toEqual([1, "cowherd: retro-03 is not kept"]);
    } finally {
      await srv.close();
    }
  }, 60_000);

  it("--group: list shows that PC group's PCs, reset resets them alone (the server chooses them), wake wakes them; an unknown group names the groups", async () => {
    const { srv, cli } = await cliAgainst({ COWHERD_SIM_WOL_PORT: "9" });
    try {
      let r = await cli("list", "--group", "newer", "--json");
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { name: string; group: string }[]).map((e) => [e.name, e.group])).toEqual(
        ["retro-11", "retro-12", "retro-13", "retro-14"].map((n) => [n, "newer"]),
      );
      r = await cli("ls", "--group", "modern");
      expect([r.code, r.stderr.trim()]).toEqual([1, 'cowherd: no PC group "modern"; the groups: retro, newer']);
      srv.rt.keeps.set(13, { keptBy: "admin", keptAt: Date.now(), reason: null });
      r = await cli("reset", "--group", "newer");
      expect(r.code).toBe(1); // a PC left alone: exit 1, as for a list of PCs
      expect(r.stdout.trimEnd().split("\n").sort()).toEqual([
        "retro-11   ok (fresh)",
        "retro-12   ok (fresh)",
        "retro-13   LEFT ALONE: it is kept ('unkeep' it, or reset it alone with --kept)",
        "retro-14   ok (fresh)",
      ]);
      const rows = srv.rt.history.list({ page: 1, pageSize: 50 }).rows;
      expect(rows.map((x) => x.machineId).sort((a, b) => a - b)).toEqual([11, 12, 14]);
      r = await cli("reset", "--group", "newer", "retro-01");
      expect([r.code, r.stderr.trim()]).toEqual([1, "cowherd: give PCs or --group newer, not both"]);
      r = await cli("reset", "--group", "modern");
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/no PC group "modern"; the groups: retro, newer/);
      expect(srv.rt.history.list({ page: 1, pageSize: 50 }).total).toBe(3);
      r = await cli("wake", "--group", "retro");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trimEnd().split("\n")).toEqual(Array.from({ length: 10 }, (_, i) => `retro-${String(i + 1).padStart(2, "0")}   packet sent`));
    } finally {
      await srv.close();
    }
  }, 60_000);

  it("history prints the last N resets newest first, filtered by PC (id or name), result and source; --json gives the rows", async () => {
    const { srv, cli } = await cliAgainst();
    try {
      const t0 = Date.parse("2026-03-01T10:00:00Z");
      const add = (i: number, machineId: number, source: "cli" | "dashboard", ok: boolean) => {
        const id = srv.rt.history.start({
          machineId,
          machineName: `retro-${String(machineId).padStart(2, "0")}`,
          source,
          requestedBy: "admin",
          batchId: null,
          startedAt: t0 + i * 60_000,
          stateBefore: "ok",
          usedBefore: 0,
          totalBefore: 0,
        });
        srv.rt.history.finish(id, {
          endedAt: t0 + i * 60_000 + 1500,
          result: ok ? "ok" : "failed",
          outcome: ok ? "fresh" : "unchanged",
          failedStep: ok ? null : "suspend",
          error: ok ? null : "device busy",
          steps: [],
        });
      };
      for (let i = 0; i < 30; i++) add(i, (i % 3) + 1, i % 2 ? "cli" : "dashboard", i % 5 !== 0);
      let r = await cli("history");
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^started \(UTC\)\s+pc\s+from\s+took\s+result$/);
      expect(lines).toHaveLength(1 + 20 + 1);
      expect(lines[1]).toMatch(/^2026-03-01 10:29:00 {2}retro-03 {2}cli\/admin\s+1\.5 s {2}ok \(fresh\)$/);
      expect(lines.at(-1)).toBe("(the newest 20 of 30: --last <n> for more)");
      r = await cli("history", "--last", "3", "--machine", "retro-01", "--result", "failed");
      expect(r.stdout.trimEnd().split("\n").slice(1)).toEqual([
        expect.stringMatching(/^2026-03-01 10:15:00 {2}retro-01 {2}cli\/admin\s+1\.5 s {2}FAILED at suspend: device busy \(unchanged\)$/),
        expect.stringMatching(/^2026-03-01 10:00:00 {2}retro-01 {2}dashboard\/admin .* FAILED at suspend/),
      ]);
      r = await cli("history", "--source", "cli", "--machine", "2", "--json");
      const rows = JSON.parse(r.stdout) as { machineId: number; source: string }[];
      expect(rows).toHaveLength(5);
      expect(rows.every((x) => x.machineId === 2 && x.source === "cli")).toBe(true);
      r = await cli("history", "--last", "150");
      expect(r.stdout.trimEnd().split("\n")).toHaveLength(31);
      r = await cli("history", "--result", "done");
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe("cowherd: --result done: expected one of running, ok, failed, interrupted");
      r = await cli("history", "--machine", "retro-99");
      expect(r.stderr).toMatch(/no PC "retro-99"; known: 1 retro-01/);
      expect((await cli("history", "--last", "0")).stderr).toMatch(/--last 0: a number of resets from 1 to 10000/);
      expect((await cli("history", "--last")).code).toBe(2);
      expect((await cli("history", "--result", "ok")).stdout).not.toMatch(/FAILED/);
    } finally {
      await srv.close();
    }
  }, 90_000);

  it("history reads GET /api/history page by page, at most 100 rows a request, until it has the last N (or there are no more)", async () => {
    const { lastResets } = await import("@/lib/cli/history-query");
    const all = Array.from({ length: 250 }, (_, i) => ({ id: 250 - i }) as unknown as ResetRow);
    const asked: string[] = [];
    const get = async (p: string) => {
      asked.push(p);
      const q = new URL(p, "http://x").searchParams;
      const [page, size] = [Number(q.get("page")), Number(q.get("pageSize"))];
      return { resets: all.slice((page - 1) * size, page * size), total: all.length };
    };
    const r = await lastResets(get, { last: 150, machineId: 3, result: "failed", source: "cli" });
    expect(r.resets.map((x) => x.id)).toEqual(all.slice(0, 150).map((x) => x.id));
    expect(r.total).toBe(250);
    expect(asked).toEqual([
      "/api/history?page=1&pageSize=100&machine=3&result=failed&source=cli",
      "/api/history?page=2&pageSize=100&machine=3&result=failed&source=cli",
    ]);
    asked.length = 0;
    expect((await lastResets(get, { last: 5 })).resets).toHaveLength(5);
    expect(asked).toEqual(["/api/history?page=1&pageSize=5"]);
    asked.length = 0;
    expect((await lastResets(get, { last: 1000 })).resets).toHaveLength(250);
    expect(asked).toHaveLength(3);
  });

  it("schedule prints each rule on or off in words, its next look and its last run (the demo room's schedule)", async () => {
    const { srv, cli } = await cliAgainst();
    try {
      const r = await cli("schedule");
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^daily-reset {3}off {2}Off\. Set schedule\.dailyReset\.at/);
      expect(lines[1]).toBe(`${" ".repeat(19)}last run: never`);
      expect(lines[2]).toBe("after-off     on   Reset a PC used since its last reset once it has been off 30 min.");
      expect(lines[3]).toMatch(/^ {19}next look: \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in \d+ s\)$/);
      expect(lines[4]).toBe(`${" ".repeat(19)}last run: never`);
      expect(lines[5]).toMatch(/^draft-cleanup on {3}Discard an update draft untouched .* for 14 day\(s\)\.$/);
      expect(lines).toHaveLength(8);
      expect((await cli("schedule", "extra")).code).toBe(2);
    } finally {
      await srv.close();
    }
  });

  it("a word that is no command is named before the usage (exit 2); no command is the usage alone; help is the usage on stdout", () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", ...args], { encoding: "utf8" });
    const r = run("lsit", "--json");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^cowherd: unknown command: lsit\nusage: npm run cowherd -- <command>\n/);
    const none = run();
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^usage: /);
    const help = run("help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: [\s\S]* list\|ls \[--group <name>\] \[--json\][\s\S]* history \[--last <n>\]/);
  });
});
