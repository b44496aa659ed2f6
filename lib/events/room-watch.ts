import type { BootTracker, BootState } from "../boot/tracker";
import type { Config } from "../config/schema";
import type { HistoryRepo } from "../db/history";
import { errorText } from "../host/step-error";
import type { StoreSpace } from "../host/types";
import type { MachinesView } from "../status/machines-view";
import type { HostReading, Room } from "../status/room";
import type { AutoExtender } from "../usage/auto-extender";
import type { UsageSampler } from "../usage/sampler";
import { roomConditions } from "./conditions";
import type { EventLog } from "./event-log";

export interface RoomWatchDeps {
  config: Config;
  room: Room;
  bootTracker: BootTracker;
  sampler: UsageSampler;
  events: EventLog;
  extender: AutoExtender;
  history: HistoryRepo;
  /** The grid's view of these readings (the same function the API uses). */
  view(readings: readonly HostReading[]): MachinesView;
  now?: () => number;
}

/**
 * What happens at each look at the room (the scheduler's room-watch, every 2 s, through the shared
 * status read): boots are followed, usage sampled, conditions raised and cleared, PCs coming online
 * or going off and failed resets recorded, and PCs past the auto-extend threshold grown.
 */
export class RoomWatch {
  private readonly boots = new Map<number, BootState>();
  private failedSince: number;
  private readonly now: () => number;

  constructor(private readonly d: RoomWatchDeps) {
    this.now = d.now ?? Date.now;
    this.failedSince = this.now();
  }

  async tick(): Promise<MachinesView> {
    const { config, room, events } = this.d;
    const readings = await room.read();
    this.d.bootTracker.observe(readings);
    this.d.sampler.observe(readings);
    const view = this.d.view(readings);
    const now = this.now();
    const stores = new Map<string, StoreSpace[]>(readings.flatMap((r) => (!r.failing && r.status?.stores ? [[r.name, r.status.stores] as const] : [])));
    const { active, inScope } = roomConditions({
      config,
      view,
      projection: (id, disk) => this.d.sampler.projection(id, disk),
      stores,
      isOpen: (k) => events.isOpen(k),
      now,
    });
    events.sync(active, inScope);

    for (const m of view.machines) {
      const before = this.boots.get(m.id);
      const state = m.boot.state;
      this.boots.set(m.id, state);
      if (before === undefined || before === state) continue;
      const pc = { machineId: m.id, machineName: m.name, host: m.host };
      const usage = m.percent !== null ? ` at ${m.percent} %` : "";
      if (state === "online") events.record({ ...pc, kind: "online", message: `${m.name} came online${usage} (its iSCSI session is open)` });
      else if (before === "online" && state === "off")
        events.record({ ...pc, kind: "offline", message: `${m.name} went offline${usage} (its iSCSI session ended)` });
    }

    for (const r of this.d.history.failedSince(this.failedSince)) {
      this.failedSince = Math.max(this.failedSince, r.endedAt ?? 0);
      const m = config.machines.find((x) => x.id === r.machineId);
      events.record({
        machineId: r.machineId,
        machineName: r.machineName,
        host: m?.host ?? null,
        kind: "reset-failed",
        message: `Reset of ${r.machineName} (${r.source}${r.requestedBy ? `, by ${r.requestedBy}` : ""}) failed at ${r.failedStep ?? "?"}: ${r.error ?? "no message"}; ${outcomeText(r.outcome)}`,
        detail: { resetId: r.id, failedStep: r.failedStep, outcome: r.outcome },
      });
    }

    // Not waited for (a slow host never holds up the watch), so its failure is handled here.
    this.d.extender.observe(view).catch((e: unknown) => console.error(`cowherd: auto-extend failed: ${errorText(e)}`));
    return view;
  }
}

function outcomeText(outcome: string | null): string {
  switch (outcome) {
    case "fresh":
      return "it came back with a clean disk anyway";
    case "kept-old":
      return "it kept its old disk";
    case "down":
      return "its device serves no snapshot: run 'cowherd-helper repair' on its host or reset it again";
    default:
      return "its state is unknown";
  }
}
