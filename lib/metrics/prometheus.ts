import type { MachinesView } from "../status/machines-view";

const STATES = ["ok", "invalid", "overflow", "merge-failed", "unknown", "missing"] as const;

function esc(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Prometheus text exposition format 0.0.4. */
export function renderMetrics(view: MachinesView, resetsByResult: Record<string, number>, statusReads: number): string {
  const out: string[] = [];
  const metric = (name: string, type: string, help: string, rows: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of rows) out.push(`${name}${labels} ${value}`);
  };
  const lbl = (m: { name: string; ip: string }) => `machine="${esc(m.name)}",ip="${esc(m.ip)}"`;
  const withNumbers = view.machines.filter((m) => m.usedSectors !== null && m.totalSectors !== null);
  metric(
    "cowherd_cow_used_sectors",
    "gauge",
    "Sectors allocated in the COW, metadata included (dmsetup status).",
    withNumbers.map((m) => [`{${lbl(m)}}`, m.usedSectors!]),
  );
  metric(
    "cowherd_cow_total_sectors",
    "gauge",
    "Size of the COW device in sectors.",
    withNumbers.map((m) => [`{${lbl(m)}}`, m.totalSectors!]),
  );
  metric(
    "cowherd_machine_state",
    "gauge",
    "1 for the snapshot state the PC is in.",
    view.machines.flatMap((m) => STATES.map((s) => [`{${lbl(m)},state="${s}"}`, m.state === s ? 1 : 0] as [string, number])),
  );
  metric(
    "cowherd_machine_online",
    "gauge",
    "1 when the PC's iSCSI initiator is connected.",
    view.machines.map((m) => [`{${lbl(m)}}`, m.online ? 1 : 0]),
  );
  metric(
    "cowherd_cow_fill_rate_mib_per_minute",
    "gauge",
    "How fast the COW fills, over usage.rateWindowMinutes since its last reset.",
    view.machines.filter((m) => m.growth.mibPerMin !== null).map((m) => [`{${lbl(m)}}`, Math.round(m.growth.mibPerMin! * 1000) / 1000]),
  );
  metric(
    "cowherd_cow_full_in_seconds",
    "gauge",
    "Seconds until the COW is full at its fill rate (its maximum size when auto-extend can grow it).",
    view.machines.filter((m) => m.growth.fullInMs !== null).map((m) => [`{${lbl(m)}}`, Math.round(m.growth.fullInMs! / 1000)]),
  );
  metric(
    "cowherd_store_free_bytes",
    "gauge",
    "Free space on each COW store, as its storage host last said.",
    view.hosts.flatMap((h) => h.stores.map((s) => [`{host="${esc(h.name)}",dir="${esc(s.dir)}"}`, s.freeBytes] as [string, number])),
  );
  metric(
    "cowherd_resets_total",
    "counter",
    "Resets recorded in history, by result.",
    ["ok", "failed", "interrupted", "running"].map((r) => [`{result="${r}"}`, resetsByResult[r] ?? 0]),
  );
  metric("cowherd_host_status_reads_total", "counter", "Host status reads performed (shared by all clients).", [["", statusReads]]);
  return out.join("\n") + "\n";
}
