import type { Config } from "../../lib/config/schema";
import type { IscsiBackend } from "../../lib/host/iscsi/backend";
import type { MachineHostStatus } from "../../lib/host/types";
import type { HostView } from "./reads";

/** Every configured PC's state from one look at the host. */
export function statusOf(config: Config, backend: IscsiBackend, view: HostView): MachineHostStatus[] {
  return config.machines.map((m) => {
    const dev = view.status.get(m.dmName);
    const info = view.info.get(m.dmName);
    const target = view.iscsi.get(m.iqn);
    const base = {
      id: m.id,
      online: (target?.initiators.length ?? 0) > 0,
      initiators: target?.initiators ?? [],
      exported: target?.luns.has(backend.lun) ?? false,
      suspended: info?.suspended ?? false,
    };
    if (!info) return { ...base, state: "missing" as const };
    // A device with no snapshot live (no table, an error table mid-reset): no numbers to show.
    if (!dev?.snapshot) return { ...base, state: "unknown" as const };
    return { ...base, ...dev.snapshot };
  });
}
