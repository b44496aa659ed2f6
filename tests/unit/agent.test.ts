import { PassThrough } from "node:stream";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseConfig } from "@/lib/config/load";
import { AgentConnection, processSpawner, type AgentProcess } from "@/lib/host/agent/agent-connection";
import { AgentHost } from "@/lib/host/agent/agent-host";
import { agentCommand } from "@/lib/host/agent/transport";
import { LineSplitter } from "@/lib/host/agent/lines";
import { runHelper } from "@/helper/run-helper";
import { SimKernel } from "@/lib/host/sim/kernel/kernel";

const FAKE = path.resolve("tests/fixtures/fake-agent.mjs");
const opened: AgentConnection[] = [];
afterEach(() => opened.splice(0).forEach((c) => c.close()));

function connect(args: string[], opts: Partial<ConstructorParameters<typeof AgentConnection>[2]> = {}) {
  const c = new AgentConnection("store-a", processSpawner({ file: process.execPath, args: [FAKE, ...args] }), {
    machines: [1, 2],
    backoffMs: 50,
    maxBackoffMs: 200,
    helloTimeoutMs: 2000,
    ...opts,
  });
  opened.push(c);
  c.start();
  return c;
}

async function until(cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const config = parseConfig({
  host: "real",
  hosts: [
    { name: "store-a" },
    {
      name: "store-b",
      transport: "ssh",
      ssh: { host: "10.9.9.2", user: "cowherd", identityFile: "/etc/cowherd/id_ed25519", knownHostsFile: "/etc/cowherd/known_hosts" },
    },
  ],
  machines: [
    { id: 1, name: "pc1", ip: "10.0.0.41", dmName: "retrocow1" },
    { id: 2, name: "pc2", ip: "10.0.0.42", dmName: "retrocow2", host: "store-b" },
  ],
});

describe("how the agent is started", () => {
  it("local: sudo -n with the helper's fixed path and the serve verb, nothing else", () => {
    expect(agentCommand(config, config.hosts[0]!)).toEqual({ file: "/usr/bin/sudo", args: ["-n", "/usr/local/sbin/cowherd-helper", "serve"] });
  });

  it("ssh: batch mode, strict host keys from the configured file, the configured key only, no config file, no forwarding", () => {
    const { file, args } = agentCommand(config, config.hosts[1]!);
    expect(file).toBe("/usr/bin/ssh");
    expect(args).toEqual(
      expect.arrayContaining([
        "-T",
        "BatchMode=yes",
        "StrictHostKeyChecking=yes",
        "UserKnownHostsFile=/etc/cowherd/known_hosts",
        "IdentitiesOnly=yes",
        "ClearAllForwardings=yes",
      ]),
    );
    expect(args.slice(args.indexOf("-F"), args.indexOf("-F") + 2)).toEqual(["-F", "/dev/null"]);
    expect(args.slice(args.indexOf("--"))).toEqual(["--", "10.9.9.2", "sudo", "-n", "/usr/local/sbin/cowherd-helper", "serve"]);
  });

  it("config refuses remote command words a shell could read anything into", () => {
    expect(() =>
      parseConfig({
        ...config,
        machines: config.machines,
        hosts: [{ name: "x", transport: "ssh", ssh: { host: "h", identityFile: "/k", knownHostsFile: "/kh", command: ["sudo", "-n", "helper;reboot"] } }],
      }),
    ).toThrow(/command/);
    expect(() => parseConfig({ host: "sim", machines: [{ id: 1, name: "a", ip: "10.0.0.1", dmName: "a", host: "nowhere" }] })).toThrow(
      /no storage host named nowhere/,
    );
  });
});

describe("the agent connection (a real child process)", () => {
  it("says hello, answers reads and resets by message, routes step events, with a minimal environment", async () => {
    process.env.COWHERD_SECRET = "do-not-leak";
    const c = connect(["ok"]);
    const host = new AgentHost(c, 5000);
    const s = await host.status();
    expect(c.health().state).toBe("up");
    expect(s.machines[0]).toMatchObject({ id: 1, state: "ok", usedSectors: 16 });
    expect((s.machines[0] as unknown as { env: string[] }).env).toEqual(["LC_ALL", "PATH"]);
    const steps: string[] = [];
    const reports = await host.reset([1, 2], (id, step) => steps.push(`${id}:${step}`));
    expect(reports.map((r) => r.ok)).toEqual([true, true]);
    expect(steps).toEqual(["1:dm-error", "2:dm-error"]);
  });

  it("a reset answered after its timeout: the caller hears the timeout at once, and the answer still arrives (checked), not dropped", async () => {
    const c = connect(["slow"]);
    const host = new AgentHost(c, 100);
    await host.status();
    const e = await host.reset([1, 2]).catch((x: unknown) => x);
    expect(e).toMatchObject({ step: "timeout", message: "storage host store-a: reset timed out after 100 ms" });
    const late = (e as { late?: Promise<unknown> }).late;
    expect(late).toBeInstanceOf(Promise);
    await expect(late).resolves.toEqual([1, 2].map((id) => ({ id, ok: true, steps: [], recovery: [], outcome: "fresh" })));
    // The connection goes on serving.
    await expect(host.status()).resolves.toMatchObject({ machines: [{ id: 1 }] });
  });

  it("through the orchestrator: the history row first says unknown, then what the agent did", async () => {
    const { Room } = await import("@/lib/status/room");
    const { ResetOrchestrator } = await import("@/lib/reset/orchestrator");
    const { HistoryRepo } = await import("@/lib/db/history");
    const { openDatabase } = await import("@/lib/db/open");
    const { demoConfig } = await import("@/lib/config/demo");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(path.join(tmpdir(), "cowherd-late-"));
    const quiet = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const config = parseConfig({
        ...demoConfig(),
        hosts: [{ name: "store-a" }],
        machines: demoConfig()
          .machines!.slice(0, 2)
          .map((m) => ({ ...m, host: "store-a" })),
      });
      const c = connect(["slow"]);
      const room = new Room(config, [new AgentHost(c, 100)]);
      const db = openDatabase(path.join(dir, "db.sqlite"));
      const history = new HistoryRepo(db);
      const fresh: number[] = [];
      const o = new ResetOrchestrator(config, room, history, Date.now, { onFresh: (id) => fresh.push(id) });
      const job = await o.wait(o.submit([1], { source: "dashboard", requestedBy: "admin" }).id);
      expect(job.machines[0]).toMatchObject({ ok: false, outcome: "unknown", failedStep: "timeout" });
      await until(() => history.list({ page: 1, pageSize: 1 }).rows[0]!.result === "ok");
      expect(history.list({ page: 1, pageSize: 1 }).rows[0]).toMatchObject({ machineId: 1, result: "ok", outcome: "fresh" });
      expect(fresh).toEqual([1]);
      db.close();
    } finally {
      quiet.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a late answer that can no longer come (the agent died) rejects, and nothing is left unhandled", async () => {
    const c = connect(["slow"]);
    const host = new AgentHost(c, 50);
    await host.status();
    const e = await host.reset([1]).catch((x: unknown) => x);
    c.killForTest();
    await expect((e as { late: Promise<unknown> }).late).rejects.toThrow(/storage host store-a: agent exited/);
  });

  it("a dead agent fails what was pending, is marked down since then with why, and is restarted with backoff", async () => {
    const c = connect(["ok"]);
    await new AgentHost(c, 5000).status();
    const upSince = c.health().since;
    await expect(c.request(["crash"], 5000)).rejects.toThrow(/storage host store-a: agent exited \(exit code 9\)/);
    expect(c.health()).toMatchObject({ error: expect.stringMatching(/exit code 9/) });
    expect(c.health().since).toBeGreaterThanOrEqual(upSince);
    await until(() => c.health().state === "up");
    await expect(new AgentHost(c, 5000).status()).resolves.toMatchObject({ machines: [{ id: 1 }] });
  });

  it("refuses an agent of another version with a message that says what to do, and keeps refusing it", async () => {
    const c = connect(["ok", "1.0.0"]);
    await until(() => c.health().state === "down");
    expect(c.health().error).toMatch(/cowherd-helper on store-a is version 1.0.0 .* this Cowherd needs .*install the helper from this build/);
    await expect(c.request(["status"], 1000)).rejects.toThrow(/unreachable since .*version 1.0.0/);
  });

  it("an agent whose config lacks this host's PCs is refused", async () => {
    const c = connect(["ok"], { machines: [1, 2, 7] });
    await until(() => c.health().state === "down");
    expect(c.health().error).toMatch(/has no machine 7/);
  });

  it("a host that stays down for the same reason is said once in the log, not at every retry", async () => {
    const lines: string[] = [];
    const c = connect(["refuse"], { log: (l) => lines.push(l) });
    await until(() => c.health().state === "down");
    // Several retries of the backoff (50, 100, 200, 200 ms…) pass.
    await new Promise((r) => setTimeout(r, 900));
    expect(lines.filter((l) => l.includes("unreachable"))).toHaveLength(1);
  });

  it("sudo refusing (no sudoers entry) shows sudo's own words", async () => {
    const c = connect(["refuse"]);
    await until(() => c.health().state === "down");
    expect(c.health().error).toMatch(/agent did not start \(exit code 1\): sudo: a password is required/);
  });

  it("an agent that never says hello is given up on", async () => {
    const c = connect(["silent"], { helloTimeoutMs: 200 });
    await until(() => c.health().state === "down");
    expect(c.health().error).toMatch(/no hello within 0.2 s/);
  });
});

describe("the web app's connection and the helper's own agent loop speak the same protocol", () => {
  it("hello, status, a reset with step events, and a refused request, over in-memory pipes", async () => {
    const fake = new SimKernel();
    fake.addFile("/store/master.img", 64 * 1048576);
    const helperConfig = parseConfig({
      host: "real",
      machines: [{ id: 1, name: "pc1", ip: "10.0.0.41", dmName: "retrocow1" }],
      defaults: { cowSizeMiB: 16, chunkSectors: 8, mode: "P" },
      storage: { master: "/store/master.img", reserveMiB: 0 },
    });
    const toAgent = new PassThrough();
    const fromAgent = new PassThrough();
    const io = {
      config: () => helperConfig,
      run: fake.runner,
      fs: fake.fs,
      dm: () => fake.worker,
      stateDir: "/run/cowherd",
      event: () => undefined,
      agent: { input: toAgent, write: (l: string) => void fromAgent.write(l + "\n") },
    };
    await runHelper(["up"], { ...io, agent: undefined });
    let ended!: (how: string) => void;
    const proc: AgentProcess = {
      write: (l) => void toAgent.write(l + "\n"),
      onData: (fn) => void fromAgent.on("data", fn),
      onStderr: () => undefined,
      exited: new Promise((r) => (ended = r)),
      end: () => toAgent.end(),
      kill: () => toAgent.end(),
    };
    const served = runHelper(["serve"], io).then(() => ended("exit code 0"));
    const c = new AgentConnection("local", () => proc, { machines: [1] });
    c.start();
    const host = new AgentHost(c, 5000);
    expect((await host.status()).machines[0]).toMatchObject({ id: 1, state: "ok", exported: true });
    const steps: string[] = [];
    const [r] = await host.reset([1], (_id, s) => steps.push(s));
    expect(r).toMatchObject({ ok: true, outcome: "fresh" });
    expect(steps).toEqual(["check", "dm-error", "cow-zero", "dm-load", "dm-resume"]);
    await expect(c.request(["reset", "1;reboot"], 5000)).resolves.toMatchObject({ code: 2, output: { error: { code: "usage" } } });
    c.close();
    await served;
  });

  it("splits lines without ever buffering more than the cap", () => {
    const lines: string[] = [];
    let tooLong = 0;
    const s = new LineSplitter(
      10,
      (l) => lines.push(l),
      () => tooLong++,
    );
    s.push("abc\nde");
    s.push("f\n" + "x".repeat(25));
    s.push("yyy\nok\n");
    expect(lines).toEqual(["abc", "def", "ok"]);
    expect(tooLong).toBe(1);
  });
});
