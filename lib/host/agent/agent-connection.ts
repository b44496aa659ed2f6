import { execa } from "execa";
import { errorText } from "../step-error";
import { AGENT_PROTOCOL, HELPER_VERSION, type AgentHello, type AgentResponse, type StepEvent } from "../protocol";
import { LateAnswerError } from "../late-answer";
import { HostError, type HostHealth } from "../types";
import { LineSplitter } from "./lines";
import type { AgentCommand } from "./transport";

/** One running agent process as the connection sees it: lines out, lines in, and its end. */
export interface AgentProcess {
  write(line: string): void;
  onData(fn: (chunk: Buffer) => void): void;
  onStderr(fn: (chunk: Buffer) => void): void;
  /** Resolves once when the process has ended (or could not be started). */
  exited: Promise<string>;
  /** Closes its stdin: the agent finishes what it is doing and exits. */
  end(): void;
  kill(): void;
}

export type Spawner = () => AgentProcess;

/** The agent as a real process: argv only, no shell, a fixed minimal environment. */
export function processSpawner(cmd: AgentCommand): Spawner {
  return () => {
    const child = execa(cmd.file, cmd.args, {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      buffer: false,
      reject: false,
      extendEnv: false,
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" },
    });
    child.stdin?.on("error", () => undefined); // a dead agent's pipe: the exit handler reports it
    return {
      write: (line) => void child.stdin?.write(line + "\n"),
      end: () => void child.stdin?.end(),
      onData: (fn) => void child.stdout?.on("data", fn),
      onStderr: (fn) => void child.stderr?.on("data", fn),
      exited: child.then(
        (r) =>
          r.failed && r.exitCode === undefined ? errorText(r.originalMessage ?? r.message) : r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`,
        (e: unknown) => errorText(e),
      ),
      kill: () => void child.kill("SIGTERM"),
    };
  };
}

interface Pending {
  resolve(r: AgentResponse): void;
  reject(e: Error): void;
  onEvent?: (e: StepEvent) => void;
  timer: NodeJS.Timeout;
}

/** How long an answer is still taken after its request timed out (a reset stuck on a hung device ends by then). */
const LATE_ANSWER_MS = 3_600_000;

export interface ConnectionOptions {
  /** Machine ids the web app expects this host to serve; the agent's config must know them all. */
  machines: readonly number[];
  helloTimeoutMs?: number;
  /** First restart delay; doubles per failed start up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  log?: (line: string) => void;
  now?: () => number;
}

const MAX_RESPONSE_LINE = 32 * 1024 * 1024;

/**
 * A host's long-lived agent: started once, restarted with backoff when it dies, requests matched to
 * responses by id. Until the agent has said hello with this build's version, nothing is sent.
 */
export class AgentConnection {
  private proc: AgentProcess | null = null;
  private ready = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private stderrTail: string[] = [];
  /** Why the running process was refused (bad hello, garbage): reported when it has exited. */
  private refusal: string | null = null;
  /** When the agent last said hello, or since when it has not been up (start, or the last exit). */
  private upSince: number | null = null;
  private downSince: number;
  private lastError: string | undefined;
  private readyWaiters: { resolve(): void; reject(e: Error): void }[] = [];
  private readonly now: () => number;

  constructor(
    readonly name: string,
    private readonly spawn: Spawner,
    private readonly opts: ConnectionOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.downSince = this.now();
  }

  health(): HostHealth {
    if (this.ready) return { state: "up", since: this.upSince! };
    return {
      state: this.proc || (!this.lastError && !this.closed) ? "connecting" : "down",
      since: this.downSince,
      ...(this.lastError ? { error: this.lastError } : {}),
    };
  }

  start(): void {
    if (this.closed || this.proc) return;
    this.ready = false;
    this.refusal = null;
    this.stderrTail = [];
    let proc: AgentProcess;
    try {
      proc = this.spawn();
    } catch (e) {
      this.down(`cannot start the agent: ${errorText(e)}`);
      return;
    }
    this.proc = proc;
    const hello = setTimeout(() => {
      if (this.proc === proc && !this.ready) this.fail(proc, `no hello within ${(this.opts.helloTimeoutMs ?? 120_000) / 1000} s`);
    }, this.opts.helloTimeoutMs ?? 120_000);
    hello.unref();
    const lines = new LineSplitter(
      MAX_RESPONSE_LINE,
      (line) => this.onLine(proc, line),
      () => this.fail(proc, "the agent sent an over-long line"),
    );
    proc.onData((c) => lines.push(c));
    proc.onStderr((c) => {
      this.stderrTail.push(
        ...c
          .toString()
          .split("\n")
          .filter((l) => l.trim()),
      );
      this.stderrTail = this.stderrTail.slice(-5);
    });
    void proc.exited.then((how) => {
      clearTimeout(hello);
      if (this.proc !== proc) return;
      this.proc = null;
      const said = this.stderrTail
        .filter((l) => !l.startsWith("{"))
        .join(" ")
        .slice(0, 400);
      const detail = `(${how})${said ? `: ${said}` : ""}`;
      this.down(this.refusal ?? (this.ready ? `agent exited ${detail}` : `agent did not start ${detail}`));
    });
  }

  private onLine(proc: AgentProcess, line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return this.fail(proc, `the agent said something that is not JSON: ${line.slice(0, 80)}`);
    }
    if (!this.ready) return this.onHello(proc, msg);
    const m = msg as Partial<AgentResponse & StepEvent>;
    if (m.event === "step" && typeof m.request === "number") {
      this.pending.get(m.request)?.onEvent?.(m as StepEvent);
      return;
    }
    if (typeof m.id === "number" && m.output) {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      p.resolve(m as AgentResponse);
    }
  }

  private onHello(proc: AgentProcess, msg: unknown): void {
    const h = (msg as Partial<AgentHello>).hello;
    const err = (msg as { error?: { message?: string } }).error;
    if (!h) return this.fail(proc, err?.message ? `agent refused to start: ${err.message}` : "the agent's first line is not a hello");
    if (h.version !== HELPER_VERSION || h.protocol !== AGENT_PROTOCOL) {
      return this.fail(
        proc,
        `cowherd-helper on ${this.name} is version ${h.version} (protocol ${h.protocol}); this Cowherd needs ${HELPER_VERSION} (protocol ${AGENT_PROTOCOL}): install the helper from this build (deploy/install-helper.sh)`,
      );
    }
    const known = new Set(h.machines);
    const missing = this.opts.machines.filter((id) => !known.has(id));
    if (missing.length)
      return this.fail(
        proc,
        `the helper's config on ${this.name} has no machine ${missing.join(", ")}: its /etc/cowherd/config.json must list every PC this host serves`,
      );
    this.ready = true;
    this.failures = 0;
    for (const r of h.repaired ?? [])
      this.opts.log?.(
        `cowherd: ${this.name}: agent start repaired ${r.id === 0 ? "the image versions" : `PC ${r.id}`}: ${r.actions.join(", ") || "nothing to do"}${r.ok ? "" : ` (FAILED: ${r.error})`}`,
      );
    this.upSince = this.now();
    this.lastError = undefined;
    this.readyWaiters.splice(0).forEach((w) => w.resolve());
  }

  /** Refuse this agent: stop it and remember why (the exit handler then reports it as down). */
  private fail(proc: AgentProcess, why: string): void {
    if (this.proc !== proc || this.refusal) return;
    this.refusal = why;
    proc.kill();
  }

  private down(error: string): void {
    // Said when the host goes down or its reason changes, not at every retry of the backoff.
    if (this.ready || error !== this.lastError) this.opts.log?.(`cowherd: storage host ${this.name} unreachable: ${error}`);
    if (this.ready) this.downSince = this.now();
    this.ready = false;
    this.lastError = error;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new HostError(`storage host ${this.name}: ${error}`));
      this.pending.delete(id);
    }
    this.readyWaiters.splice(0).forEach((w) => w.reject(new HostError(`storage host ${this.name}: ${error}`)));
    if (this.closed) return;
    const delay = Math.min(this.opts.maxBackoffMs ?? 30_000, (this.opts.backoffMs ?? 1000) * 2 ** this.failures++);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.start();
    }, delay);
    this.restartTimer.unref();
  }

  /** Waits for the agent while it is starting; fails at once when it is down. */
  private whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    if (this.closed) return Promise.reject(new HostError(`storage host ${this.name}: closed`));
    if (!this.proc)
      return Promise.reject(
        new HostError(`storage host ${this.name} unreachable since ${new Date(this.downSince).toISOString()}: ${this.lastError ?? "not started"}`),
      );
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  async request(args: string[], timeoutMs: number, onEvent?: (e: StepEvent) => void): Promise<AgentResponse> {
    await this.whenReady();
    const proc = this.proc!;
    const id = this.nextId++;
    return new Promise<AgentResponse>((resolve, reject) => {
      const timer = setTimeout(() => reject(this.late(id, args[0] ?? "request", timeoutMs)), timeoutMs);
      this.pending.set(id, { resolve, reject, onEvent, timer });
      proc.write(JSON.stringify({ id, args }));
    });
  }

  /**
   * A request past its timeout: the caller is told now, but the agent may still be working on it (a
   * reset on a slow device): its answer, if it comes, goes to the error's `late` promise instead of
   * being dropped, so what the host did can still be recorded.
   */
  private late(id: number, verb: string, timeoutMs: number): LateAnswerError<AgentResponse> {
    let settle!: Pick<Pending, "resolve" | "reject">;
    const late = new Promise<AgentResponse>((resolve, reject) => (settle = { resolve, reject }));
    const timer = setTimeout(() => {
      this.pending.delete(id);
      settle.reject(new HostError(`storage host ${this.name}: no answer to ${verb} within ${LATE_ANSWER_MS / 60_000} min`, "timeout"));
    }, LATE_ANSWER_MS);
    timer.unref();
    // Its step events are no longer the caller's (a new reset of the PC may be showing its own).
    this.pending.set(id, { ...settle, timer });
    return new LateAnswerError(`storage host ${this.name}: ${verb} timed out after ${timeoutMs} ms`, "timeout", late);
  }

  /** Ends the agent: its stdin closes, so it finishes what it is doing and exits. */
  close(): void {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.proc?.end();
  }

  /** Tests: kill the running agent as a crash would. */
  killForTest(): void {
    this.proc?.kill();
  }
}
