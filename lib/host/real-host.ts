import { execa } from "execa";
import type { Config } from "../config/schema";
import type { HelperEvent, HelperOutput } from "./helper-protocol";
import { HostError, type Host, type HostStatus, type ResetReport } from "./types";

/**
 * The storage host for real: every privileged action is one `sudo -n cowherd-helper <verb> <ids>`
 * call. Only the verb and validated integers cross this boundary; the helper reads its own config.
 */
export class RealHost implements Host {
  readonly kind = "real" as const;

  constructor(private readonly config: Config) {}

  private async run(args: string[], onEvent?: (e: HelperEvent) => void): Promise<HelperOutput> {
    const { sudo, path, timeoutMs } = this.config.helper;
    const child = execa(sudo, ["-n", path, ...args], {
      timeout: timeoutMs,
      reject: false,
      extendEnv: false,
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" },
      stdin: "ignore",
    });
    if (onEvent) {
      let buf = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        buf += chunk.toString();
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          try {
            const e = JSON.parse(line) as HelperEvent;
            if (e && e.event === "step") onEvent(e);
          } catch {
            /* not an event line */
          }
        }
      });
    }
    const r = await child;
    if (r.timedOut) throw new HostError(`cowherd-helper ${args[0]} timed out after ${timeoutMs} ms`, "helper-timeout");
    let out: HelperOutput;
    try {
      out = JSON.parse(String(r.stdout)) as HelperOutput;
    } catch {
      const why = String(r.stderr).split("\n").filter((l) => l && !l.startsWith("{")).slice(-3).join(" ") || `exit code ${r.exitCode}`;
      throw new HostError(`cowherd-helper ${args[0]} gave no JSON: ${why}`, "helper");
    }
    if (!("verb" in out)) throw new HostError(out.error.message, out.error.step ?? `helper-${out.error.code}`);
    return out;
  }

  async status(): Promise<HostStatus> {
    const out = await this.run(["status"]);
    if (!("verb" in out) || out.verb !== "status") throw new HostError("cowherd-helper status: unexpected answer", "helper");
    return { readAt: Date.now(), machines: out.machines };
  }

  async reset(id: number, onStep?: (step: string) => void): Promise<ResetReport> {
    const [report] = await this.resetMany([id], (_, step) => onStep?.(step));
    return report!;
  }

  /** One helper call for all: it batches the device-mapper work across the PCs. */
  async resetMany(ids: number[], onStep?: (id: number, step: string) => void): Promise<ResetReport[]> {
    for (const id of ids) if (!Number.isSafeInteger(id) || id < 1) throw new HostError(`invalid machine id ${id}`, "validate");
    const out = await this.run(["reset", ...ids.map(String)], (e) => onStep?.(e.id, e.step));
    if (!("verb" in out) || out.verb !== "reset" || out.reports.length !== ids.length) throw new HostError("cowherd-helper reset: unexpected answer", "helper");
    return out.reports;
  }
}
