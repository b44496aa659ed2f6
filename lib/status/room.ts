import type { Config, Machine } from "../config/schema";
import type { Host, HostHealth, HostStatus, MachineHostStatus } from "../host/types";
import { errorText } from "../host/step-error";
import { StatusService } from "./status-service";

/** What the room knows of one storage host right now. */
export interface HostReading {
  name: string;
  health: HostHealth;
  /** The latest good read (possibly old: see `failing`); null before the first one. */
  status: HostStatus | null;
  /** Set while this host's reads fail: since when, and why. Its PCs then show as unknown. */
  failing: { since: number; message: string } | null;
}

/**
 * The storage hosts of the room and which PCs each one holds. Status is read per host, in
 * parallel, each with its own single-flight cache; a host that is down never blocks the others.
 */
export class Room {
  readonly services: Map<string, StatusService>;
  private readonly hostOf: Map<number, string>;

  constructor(
    readonly config: Config,
    hosts: Host[],
  ) {
    this.services = new Map(hosts.map((h) => [h.name, new StatusService(h, config.statusCacheMs)]));
    this.hostOf = new Map(config.machines.map((m) => [m.id, m.host]));
  }

  host(name: string): Host {
    const s = this.services.get(name);
    if (!s) throw new Error(`no storage host ${name}`);
    return s.host;
  }

  hosts(): Host[] {
    return [...this.services.values()].map((s) => s.host);
  }

  service(machineId: number): StatusService {
    return this.services.get(this.hostOf.get(machineId)!)!;
  }

  machinesOn(host: string): Machine[] {
    return this.config.machines.filter((m) => m.host === host);
  }

  /**
   * Every host read (or its failure) at once. Never throws for a host: one that cannot be read is
   * a failing reading (its PCs unknown, its last good data kept), so the grid still renders.
   */
  async read(): Promise<HostReading[]> {
    return Promise.all(
      [...this.services.values()].map(async (s) => {
        // The read awaited (one overtaken by a reset is done again by get()); the last good one when it failed.
        const value = await s.get().catch(() => null);
        const failing = value ? null : s.failing;
        return { name: s.host.name, health: healthOf(s.host, failing), status: value ?? s.lastGood, failing };
      }),
    );
  }

  /** One PC's status from its own host only (the legacy route); throws when that host cannot say. */
  async machine(id: number): Promise<MachineHostStatus | undefined> {
    return (await this.service(id).get()).machines.find((s) => s.id === id);
  }

  get reads(): number {
    return [...this.services.values()].reduce((n, s) => n + s.reads, 0);
  }

  invalidate(hostName: string): void {
    this.services.get(hostName)?.invalidate();
  }

  close(): void {
    for (const s of this.services.values()) s.host.close();
  }
}

function healthOf(host: Host, failing: HostReading["failing"]): HostHealth {
  try {
    return host.health();
  } catch (e) {
    return { state: "down", since: failing?.since ?? Date.now(), error: errorText(e) };
  }
}
