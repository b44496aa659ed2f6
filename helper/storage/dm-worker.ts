import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { LineSplitter } from "../../lib/host/agent/lines";
import SCRIPT from "./dm-worker.pl?raw";

export const PERL = "/usr/bin/perl";
const TIMEOUT_MS = 60_000;

/**
 * The helper's one helper process: a small Perl program (dm-worker.pl) that does device-mapper
 * table loads and resumes through the kernel's ioctls and holds the per-PC flock locks. One is
 * started per helper process (the agent keeps it for its lifetime), so a reset of N PCs starts no
 * process per PC; it dies with its parent, which releases every lock.
 */
export class DmWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve(answer: string): void; reject(e: Error): void; timer: NodeJS.Timeout }[] = [];
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
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(this.dead);
    }
  }

  /** One request line; resolves with the answer after "ok" (or "busy"), rejects on "err". */
  async ask(line: string): Promise<string> {
    if (this.dead) throw this.dead;
    const answer = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.die(new Error(`dm worker did not answer "${line.split(" ")[0]}" within ${TIMEOUT_MS / 1000} s`));
        this.child.kill("SIGKILL");
      }, TIMEOUT_MS);
      this.waiting.push({ resolve: (a) => (clearTimeout(timer), resolve(a)), reject, timer });
      this.child.stdin.write(line + "\n");
    });
    if (answer.startsWith("err ")) throw new Error(answer.slice(4));
    return answer === "ok" ? "" : answer.startsWith("ok ") ? answer.slice(3) : answer;
  }

  close(): void {
    this.child.stdin.end();
  }
}
