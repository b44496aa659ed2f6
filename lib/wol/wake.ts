import { randomUUID } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import type { Config, Machine } from "../config/schema";
import { AppError, errors } from "../api/errors";
import { errorText } from "../host/step-error";
import { JobStore, type PcJob } from "../jobs/job-store";

/** The magic packet: six 0xFF bytes, then the MAC sixteen times (102 bytes). */
export function magicPacket(mac: string): Buffer {
  const hex = mac.replace(/[:-]/g, "");
  if (!/^[0-9a-f]{12}$/i.test(hex)) throw new Error(`not a MAC address: ${mac}`);
  const bytes = Buffer.from(hex, "hex");
  const packet = Buffer.alloc(102, 0xff);
  for (let i = 0; i < 16; i++) bytes.copy(packet, 6 + i * 6);
  return packet;
}

/** no-mac and busy (already in another unfinished wake job) are left out, with the reason in `error`. */
export type WakeState = "queued" | "sent" | "no-mac" | "busy" | "failed";

/** A wake job (see lib/jobs/job-store.ts): each PC's packet sent, or why not. */
export interface WakeJob extends PcJob<WakeState> {
  broadcast: string;
  port: number;
  batchSize: number;
  intervalMs: number;
  machines: (PcJob<WakeState>["machines"][number] & { mac: string | null; sentAt: number | null })[];
}

export interface WakeOptions {
  batchSize: number;
  intervalMs: number;
}

/** Finished wake jobs kept for GET /api/wake/{id}. */
const KEEP_FINISHED_JOBS = 50;
/** Wake jobs running at once, room-wide; one more is refused (429) until one finishes. */
export const MAX_WAKE_JOBS = 4;

/**
 * Wake-on-LAN, staggered: `batchSize` PCs at a time, a batch every `intervalMs`, one magic packet
 * each (UDP to wol.broadcast:wol.port, from wol.bindAddress when set), so the room's power supply
 * and the storage host's first reads are not hit by every PC at once. A PC without a MAC is named
 * in the job, not skipped silently. `onSent` lets a simulated room hear its packets.
 */
export class Waker {
  private readonly jobs = new JobStore<WakeJob>(KEEP_FINISHED_JOBS);
  private readonly byId: Map<number, Machine>;

  constructor(
    private readonly config: Config,
    private readonly onSent: (id: number) => void = () => undefined,
    private readonly now: () => number = Date.now,
    private readonly maxJobs = MAX_WAKE_JOBS,
  ) {
    this.byId = new Map(config.machines.map((m) => [m.id, m]));
  }

  /**
   * A new job for `ids`. A PC that an unfinished job still holds is left out of this one (state
   * busy, with that job named), so repeated clicks cannot pile up packets or sockets for it; a
   * request that would leave nothing to send is refused (409), and so is one beyond `maxJobs`
   * running jobs (429, Retry-After).
   */
  start(ids: number[], opts: WakeOptions, requestedBy: string | null): { job: WakeJob; done: Promise<WakeJob> } {
    const { broadcast, port } = this.config.wol;
    const running = this.jobs.unfinished();
    if (running.length >= this.maxJobs)
      throw new AppError("rate_limited", 429, `${running.length} wake jobs are already running (at most ${this.maxJobs} at a time): wait for one to finish.`, {
        retryAfterSeconds: Math.max(1, Math.ceil(Math.min(...running.map((j) => this.remainingMs(j))) / 1000)),
      });
    const holder = new Map(running.flatMap((j) => j.machines.filter((m) => m.state === "queued" || m.state === "sent").map((m) => [m.id, j.id] as const)));
    const job: WakeJob = {
      id: randomUUID(),
      requestedBy,
      createdAt: this.now(),
      finishedAt: null,
      broadcast,
      port,
      batchSize: opts.batchSize,
      intervalMs: opts.intervalMs,
      machines: [...new Set(ids)].map((id) => {
        const m = this.byId.get(id)!;
        const base = { id, name: m.name, mac: m.mac ?? null, sentAt: null };
        if (!m.mac) return { ...base, state: "no-mac" as const, error: `${m.name} has no MAC address in the config (machines[].mac)` };
        const by = holder.get(id);
        if (by) return { ...base, state: "busy" as const, error: `${m.name} is already being woken (wake job ${by}): left out of this one` };
        return { ...base, state: "queued" as const, error: null };
      }),
    };
    const busy = job.machines.filter((m) => m.state === "busy");
    if (busy.length && !job.machines.some((m) => m.state === "queued"))
      throw errors.conflict(
        "wake-in-progress",
        `${busy.map((m) => m.name).join(", ")} ${busy.length === 1 ? "is" : "are"} already being woken: nothing sent. Follow the running wake job, or wait for it to finish.`,
      );
    const done = this.run(job).then(() => structuredClone(job));
    this.jobs.add(job, done);
    return { job: structuredClone(job), done };
  }

  get(id: string): WakeJob | undefined {
    return this.jobs.get(id);
  }

  /** Until a running job's last batch is due (its remaining batches times its interval). */
  private remainingMs(job: WakeJob): number {
    const left = job.machines.filter((m) => m.state === "queued").length;
    return Math.ceil(left / job.batchSize) * job.intervalMs;
  }

  /**
   * Batch by batch. A socket is opened for each batch and closed once its packets are out: a long
   * job (250 PCs, one every two minutes) holds no socket while it waits between batches.
   */
  private async run(job: WakeJob): Promise<void> {
    const todo = job.machines.filter((m) => m.state === "queued");
    try {
      for (let i = 0; i < todo.length; i += job.batchSize) {
        if (i > 0 && job.intervalMs > 0) await new Promise((r) => setTimeout(r, job.intervalMs));
        const batch = todo.slice(i, i + job.batchSize);
        let socket: Socket;
        try {
          socket = await openSocket(this.config.wol.bindAddress);
        } catch (e) {
          for (const m of batch) Object.assign(m, { state: "failed", error: errorText(e) });
          continue;
        }
        try {
          await Promise.all(
            batch.map(async (m) => {
              try {
                await send(socket, magicPacket(m.mac!), job.port, job.broadcast);
                Object.assign(m, { state: "sent", sentAt: this.now() });
                this.onSent(m.id);
              } catch (e) {
                Object.assign(m, { state: "failed", error: errorText(e) });
              }
            }),
          );
        } finally {
          socket.close();
        }
      }
    } finally {
      job.finishedAt = this.now();
    }
  }
}

function openSocket(bindAddress: string | undefined): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    s.once("error", reject);
    s.bind({ address: bindAddress, port: 0 }, () => {
      s.off("error", reject);
      s.setBroadcast(true);
      resolve(s);
    });
  });
}

function send(s: Socket, packet: Buffer, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => s.send(packet, port, address, (e) => (e ? reject(e) : resolve())));
}
