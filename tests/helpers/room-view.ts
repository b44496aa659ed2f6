import type { Config, Machine } from "@/lib/config/schema";
import type { MachineHostStatus } from "@/lib/host/types";
import { buildMachinesView, type BootFacts, type GrowthFacts } from "@/lib/status/machines-view";

/** A view of one host's room read at t=1, each PC as `pc(m)` says (by default running, OK, 16 sectors used of 200 MiB). */
export function roomView(config: Config, pc: (m: Machine) => Partial<MachineHostStatus>, boots?: BootFacts, growth?: GrowthFacts) {
  return buildMachinesView(
    config,
    [
      {
        name: "local",
        health: { state: "up", since: 0 },
        failing: null,
        status: {
          readAt: 1,
          machines: config.machines.map((m) => ({
            id: m.id,
            state: "ok" as const,
            usedSectors: 16,
            totalSectors: 200 * 2048,
            online: true,
            initiators: [],
            exported: true,
            suspended: false,
            ...pc(m),
          })),
        },
      },
    ],
    new Map(),
    new Map(),
    new Map(),
    1,
    boots,
    growth,
  );
}
