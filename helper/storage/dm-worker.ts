import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { LineSplitter } from "../../lib/host/agent/lines";
import SCRIPT from "./dm-worker.pl?raw";
import type { LockHolder } from "./locks";
import type { DmOps } from "./reset-plan";

export const PERL = "/usr/bin/perl";
const TIMEOUT_MS = 60_000;

/** "ok[ text]" → the text; "err msg" → an Error. */
function result(answer: string): string | Error {
  if (answer.startsWith("err ")) return new Error(answer.slice(4));
  return answer === "ok" ? "" : answer.startsWith("ok ") ? answer.slice(3) : answer;
}

/**
 * The helper's one helper process: a small Perl program (dm-worker.pl) that does device-mapper
 * table loads and resumes through the kernel's ioctls and holds the per-PC flock locks. One is
 * started per helper process (the agent keeps it for its lifetime), so a reset of N PCs starts no
 * process per PC; it dies with its parent, which releases every lock.
 */
export class DmWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve(answer: string): void; reject(e: Error): void }[] = [];
  private dead: Error | null = null;

  /** `program`: the worker's argv (tests run a stand-in). */
  constructor(env: Record<string, string>, program: readonly string[] = [PERL, "-e", SCRIPT]) {
    this.child = spawn(program[0]!, program.slice(1), { env: env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"], shell: false });
    const lines = new LineSplitter(
      1 << 20,
      (line) => this.waiting.shift()?.resolve(line),
      () => this.die(new Error("dm worker sent an over-long line")),
    );
    this.child.stdout.on("data", (c: Buffer) => lines.push(c));
    let stderr = "";
    this.child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-500)));
    this.child.on("error", (e) => this.die(new Error(`cannot run ${PERL}: ${e.message}`)));
    this.child.on("exit", (code, signal) => this.die(new Error(`dm worker exited (${signal ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ""}`)));
    this.child.stdin.on("error", () => undefined);
  }

  /** Why it is gone (killed, timed out, could not start); null while it runs. */
  get exited(): Error | null {
    return this.dead;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private die(e: Error): void {
    this.dead ??= e;
    this.waiting.splice(0).forEach((w) => w.reject(this.dead!));
  }

  /** Writes `text` and waits for `count` answer lines (the worker answers in order). */
  private async exchange(text: string, count: number, what: string): Promise<string[]> {
    if (this.dead) throw this.dead;
    const answers = Array.from({ length: count }, () => new Promise<string>((resolve, reject) => this.waiting.push({ resolve, reject })));
    const timer = setTimeout(() => {
      this.die(new Error(`dm worker did not answer "${what}" within ${TIMEOUT_MS / 1000} s`));
      this.child.kill("SIGKILL");
    }, TIMEOUT_MS);
    this.child.stdin.write(text);
    try {
      return await Promise.all(answers);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One request; resolves with the text after "ok" (or "busy"), rejects on "err". */
  async ask(line: string): Promise<string> {
    const r = result((await this.exchange(line + "\n", 1, line.split(" ")[0]!))[0]!);
    if (r instanceof Error) throw r;
    return r;
  }

  /** Many requests in one round trip: each one's answer or its error, in order. */
  async askAll(lines: string[]): Promise<(string | Error)[]> {
    if (!lines.length) return [];
    return (await this.exchange(`batch ${lines.length}\n${lines.join("\n")}\n`, lines.length, lines[0]!.split(" ")[0]!)).map(result);
  }

  close(): void {
    this.child.stdin.end();
  }
}

/**
 * The dm worker the helper talks to, started again on the next use after it died (killed, or
 * killed for not answering within 60 s). The agent lives for days: a worker dead for good would fail
 * every reset, grow and lock until the app restarted the agent, while status (which needs no
 * worker) said all was well. A request in flight when it died fails with why (a reset step fails
 * and that PC's recovery runs on the new worker). The flocks died with it: the new worker takes
 * again every lock still held; one that another process took meanwhile is lost, and the request
 * that found it so fails (its verb no longer owns that PC).
 */
export class DmSupervisor implements DmOps, LockHolder {
  private worker: DmWorker | null = null;
  private starting: Promise<DmWorker> | null = null;
  private readonly held = new Set<string>();
  /** Workers started so far (1 after the first use). */
  starts = 0;

  constructor(private readonly start: () => DmWorker) {}

  /** The running worker, or a new one with every held lock taken again. */
  private live(): Promise<DmWorker> {
    if (this.worker && !this.worker.exited) return Promise.resolve(this.worker);
    return (this.starting ??= (async () => {
      this.worker?.close();
      const w = this.start();
      this.worker = w;
      this.starts++;
      const lost: string[] = [];
      for (const path of [...this.held]) {
        if ((await w.ask(`lock ${path}`)) !== "busy") continue;
        this.held.delete(path);
        lost.push(path);
      }
      if (lost.length) throw new Error(`the dm worker had died and was started again, but ${lost.join(" and ")} had been taken by another process meanwhile`);
      return w;
    })().finally(() => (this.starting = null)));
  }

  /** One request per device, sent at once; the devices that failed, with why. */
  private async all(names: string[], lines: string[]): Promise<Map<string, Error>> {
    const answers = await (await this.live()).askAll(lines);
    return new Map(names.flatMap((n, i) => (answers[i] instanceof Error ? [[n, answers[i] as Error] as const] : [])));
  }

  wipe(devs: { name: string; sectors: number }[]) {
    return this.all(
      devs.map((d) => d.name),
      devs.map((d) => `wipe ${d.name} ${d.sectors}`),
    );
  }
  // A table line starts "0 <sectors>": the worker's load takes the sectors onwards.
  load(devs: { name: string; table: string }[]) {
    return this.all(
      devs.map((d) => d.name),
      devs.map((d) => `load ${d.name} ${d.table.replace(/^0 /, "")}`),
    );
  }
  resume(names: string[]) {
    return this.all(
      names,
      names.map((n) => `resume ${n}`),
    );
  }
  clear(names: string[]) {
    return this.all(
      names,
      names.map((n) => `clear ${n}`),
    );
  }

  async lock(path: string): Promise<boolean> {
    const got = (await (await this.live()).ask(`lock ${path}`)) !== "busy";
    if (got) this.held.add(path);
    return got;
  }

  async unlock(path: string): Promise<void> {
    this.held.delete(path);
    // A dead worker holds nothing: there is nothing to let go of, and no reason to start one.
    if (this.worker && !this.worker.exited) await this.worker.ask(`unlock ${path}`);
  }

  close(): void {
    this.worker?.close();
  }
}
