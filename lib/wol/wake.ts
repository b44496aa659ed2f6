import { randomUUID } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import type { Config, Machine } from "../config/schema";
import { errorText } from "../host/step-error";

/** The magic packet: six 0xFF bytes, then the MAC sixteen times (102 bytes). */
export function magicPacket(mac: string): Buffer {
  const hex = mac.replace(/[:-]/g, "");
  if (!/^[0-9a-f]{12}$/i.test(hex)) throw new Error(`not a MAC address: ${mac}`);
  const bytes = Buffer.from(hex, "hex");
  const packet = Buffer.alloc(102, 0xff);
  for (let i = 0; i < 16; i++) bytes.copy(packet, 6 + i * 6);
  return packet;
}

export type WakeState = "queued" | "sent" | "no-mac" | "failed";

export interface WakeJob {
  id: string;
  requestedBy: string | null;
  createdAt: number;
  finishedAt: number | null;
  broadcast: string;
  port: number;
  batchSize: number;
  intervalMs: number;
  machines: { id: number; name: string; mac: string | null; state: WakeState; sentAt: number | null; error: string | null }[];
}

export interface WakeOptions {
  batchSize: number;
  intervalMs: number;
}

const KEEP_JOBS = 50;

/**
 * Wake-on-LAN, staggered: `batchSize` PCs at a time, a batch every `intervalMs`, one magic packet
 * each (UDP to wol.broadcast:wol.port, from wol.bindAddress when set), so the room's power supply
 * and the storage host's first reads are not hit by every PC at once. A PC without a MAC is named
 * in the job, not skipped silently. `onSent` lets a simulated room hear its packets.
 */
export class Waker {
  private readonly jobs = new Map<string, WakeJob>();
  private readonly byId: Map<number, Machine>;

  constructor(
    private readonly config: Config,
    private readonly onSent: (id: number) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.byId = new Map(config.machines.map((m) => [m.id, m]));
  }

  start(ids: number[], opts: WakeOptions, requestedBy: string | null): { job: WakeJob; done: Promise<WakeJob> } {
    const { broadcast, port } = this.config.wol;
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
        return { id, name: m.name, mac: m.mac ?? null, state: m.mac ? "queued" : "no-mac", sentAt: null, error: m.mac ? null : `${m.name} has no MAC address in the config (machines[].mac)` };
      }),
    };
    this.jobs.set(job.id, job);
    for (const old of [...this.jobs.keys()].slice(0, Math.max(0, this.jobs.size - KEEP_JOBS))) this.jobs.delete(old);
    const done = this.run(job).then(() => structuredClone(job));
    return { job: structuredClone(job), done };
  }

  get(id: string): WakeJob | undefined {
    const j = this.jobs.get(id);
    return j && structuredClone(j);
  }

  private async run(job: WakeJob): Promise<void> {
    const todo = job.machines.filter((m) => m.state === "queued");
    let socket: Socket | null = null;
    try {
      socket = await openSocket(this.config.wol.bindAddress);
      for (let i = 0; i < todo.length; i += job.batchSize) {
        if (i > 0 && job.intervalMs > 0) await new Promise((r) => setTimeout(r, job.intervalMs));
        await Promise.all(
          todo.slice(i, i + job.batchSize).map(async (m) => {
            try {
              await send(socket!, magicPacket(m.mac!), job.port, job.broadcast);
              Object.assign(m, { state: "sent", sentAt: this.now() });
              this.onSent(m.id);
            } catch (e) {
              Object.assign(m, { state: "failed", error: errorText(e) });
            }
          }),
        );
      }
    } catch (e) {
      for (const m of todo) if (m.state === "queued") Object.assign(m, { state: "failed", error: errorText(e) });
    } finally {
      socket?.close();
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
