import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { LineSplitter } from "../../lib/host/agent/lines";
import SCRIPT from "./dm-worker.pl?raw";

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

  constructor(env: Record<string, string>) {
    this.child = spawn(PERL, ["-e", SCRIPT], { env: env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"], shell: false });
    const lines = new LineSplitter(1 << 20, (line) => this.waiting.shift()?.resolve(line), () => this.die(new Error("dm worker sent an over-long line")));
    this.child.stdout.on("data", (c: Buffer) => lines.push(c));
    let stderr = "";
    this.child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-500)));
    this.child.on("error", (e) => this.die(new Error(`cannot run ${PERL}: ${e.message}`)));
    this.child.on("exit", (code, signal) => this.die(new Error(`dm worker exited (${signal ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ""}`)));
    this.child.stdin.on("error", () => undefined);
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
