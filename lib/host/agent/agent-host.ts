import type { DiskKind } from "../../config/schema";
import { imageArgs, type HostImages, type ImageOp } from "../images";
import { mapLate } from "../late-answer";
import type { AgentResponse, HelperOutput, ImageVerb } from "../protocol";
import { StepError } from "../step-error";
import { HostError, type Host, type HostHealth, type HostStatus, type ResetOptions, type ResetReport } from "../types";
import type { AgentConnection } from "./agent-connection";

const STATUS_TIMEOUT_MS = 15_000;
/** An update copies the whole current version when the filesystem cannot share blocks: allow hours. */
const IMAGE_COPY_TIMEOUT_MS = 12 * 3_600_000;

/** A real storage host, reached through its long-lived agent: every read and reset is a message. */
export class AgentHost implements Host {
  readonly kind = "agent" as const;

  constructor(
    protected readonly conn: AgentConnection,
    private readonly resetTimeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get name(): string {
    return this.conn.name;
  }

  private async ask<V extends Exclude<HelperOutput, { error: unknown }>["verb"]>(
    verb: V,
    args: string[],
    timeoutMs: number,
    onStep?: (id: number, step: string) => void,
  ): Promise<Extract<HelperOutput, { verb: V }>> {
    // An answer after the timeout is checked as one in time would be (it reaches whoever awaits `late`).
    const r = await this.conn.request([verb, ...args], timeoutMs, onStep && ((e) => onStep(e.machine, e.step))).catch((e: unknown) => {
      throw mapLate(e, (late: AgentResponse) => this.checked(verb, late));
    });
    return this.checked(verb, r);
  }

  private checked<V extends Exclude<HelperOutput, { error: unknown }>["verb"]>(verb: V, r: AgentResponse): Extract<HelperOutput, { verb: V }> {
    const out = r.output;
    if (!("verb" in out)) throw new HostError(`storage host ${this.name}: ${out.error.message}`, out.error.step ?? `helper-${out.error.code}`);
    if (out.verb !== verb) throw new HostError(`storage host ${this.name}: answered ${out.verb} to ${verb}`);
    return out as Extract<HelperOutput, { verb: V }>;
  }

  async status(): Promise<HostStatus> {
    const out = await this.ask("status", [], STATUS_TIMEOUT_MS);
    return {
      readAt: this.now(),
      machines: out.machines,
      ...(out.stores ? { stores: out.stores } : {}),
      ...(out.images ? { images: out.images } : {}),
      ...(out.groups ? { groups: out.groups } : {}),
    };
  }

  async image(op: ImageOp, onStep?: (step: string) => void): Promise<HostImages> {
    const [verb, ...args] = imageArgs(op) as [ImageVerb, ...string[]];
    const out = await this.ask<ImageVerb>(
      verb,
      args,
      op.op === "update" ? IMAGE_COPY_TIMEOUT_MS : this.resetTimeoutMs,
      onStep && ((_id, step) => onStep(step)),
    );
    if (!out.ok || !out.images) throw new StepError(out.step ?? "image", `storage host ${this.name}: ${out.error ?? `${verb} failed`}`);
    return out.images;
  }

  async reset(ids: number[], onStep?: (id: number, step: string) => void, opts: ResetOptions = {}): Promise<ResetReport[]> {
    for (const id of ids) if (!Number.isSafeInteger(id) || id < 1) throw new HostError(`invalid machine id ${id}`, "validate");
    const reports = (out: Extract<HelperOutput, { verb: "reset" }>) => {
      if (out.reports.length !== ids.length) throw new HostError(`storage host ${this.name}: ${out.reports.length} reports for ${ids.length} PCs`);
      return out.reports;
    };
    return reports(
      await this.ask(
        "reset",
        [...(opts.force ? ["--force"] : []), ...(opts.disk ? ["--disk", opts.disk] : []), ...ids.map(String)],
        this.resetTimeoutMs,
        onStep,
      ).catch((e: unknown) => {
        throw mapLate(e, reports);
      }),
    );
  }

  async grow(id: number, mib: number, expectSectors?: number, disk: DiskKind = "system"): Promise<{ totalSectors: number }> {
    const expect = expectSectors !== undefined && Number.isSafeInteger(expectSectors) && expectSectors > 0 ? ["--expect-sectors", String(expectSectors)] : [];
    const out = await this.ask("grow", [String(id), String(mib), ...expect, ...(disk === "game" ? ["--disk", "game"] : [])], this.resetTimeoutMs);
    if (!out.ok || out.totalSectors === undefined) throw new StepError(out.step ?? "grow", `storage host ${this.name}: ${out.error ?? "grow failed"}`);
    return { totalSectors: out.totalSectors };
  }

  health(): HostHealth {
    return this.conn.health();
  }

  close(): void {
    this.conn.close();
  }
}
