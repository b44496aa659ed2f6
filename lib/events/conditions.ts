import type { Config, DiskKind } from "../config/schema";
import type { MachinesView, MachineView } from "../status/machines-view";
import type { UsageProjection } from "../usage/sampler";
import type { StoreSpace } from "../host/types";
import { conditionKey, diskScope, type Condition } from "./event-log";

import { duration, mibText, rateText } from "../client/units";
import { projectionLevel, projectionLimits } from "../usage/projection-level";

const MiB = 1024 * 1024;
/** "21:14" in the server's time zone (events are read in the room, on the server's clock). */
export const clock = (at: number) => new Date(at).toTimeString().slice(0, 5);

/** What the conditions of one look at the room need. */
export interface ConditionInput {
  config: Config;
  view: MachinesView;
  projection(id: number, disk?: DiskKind): UsageProjection | null;
  /** Each reachable host's COW stores. */
  stores: ReadonlyMap<string, StoreSpace[]>;
  /** Whether a condition is open already (a projection holds until 1.25 × its limit once raised). */
  isOpen(key: string): boolean;
  now: number;
}

/**
 * Every condition that holds in the room now, and which conditions were looked at (so the ones that
 * stopped holding are cleared, and those of a host that does not answer are left alone).
 *  - per PC: past its warning / danger level, projected full within alerts.projectedFullMinutes
 *    (a warning; danger once close, see lib/usage/projection-level.ts; cleared only past 1.25 × the
 *    limit, so a wobbling rate does not flap), Invalid, Overflow, at its
 *    largest size while past the auto-extend threshold; a refused auto-extend clears once it is back
 *    under the threshold (reset or grown);
 *  - per host: unreachable; per COW store: space below reserve + storage.lowSpaceMiB.
 */
export function roomConditions(x: ConditionInput): { active: Condition[]; inScope: (key: string) => boolean } {
  const { config, view, now } = x;
  const active: Condition[] = [];
  const scope = new Set<string>();
  const failing = new Set(view.hosts.filter((h) => h.failing).map((h) => h.name));
  const look = (c: Condition | null, key: string) => {
    scope.add(key);
    if (c) active.push(c);
  };
  const limits = projectionLimits(config.alerts);
  const autoextendOn = config.autoextend.threshold < 100;
  const machines = new Map(config.machines.map((m) => [m.id, m]));
  /** One disk's conditions: the system disk's (the PC's view) or its game disk's (the view's fields for it). */
  const disk = (
    m: Pick<MachineView, "id" | "name" | "host" | "state" | "percent" | "usedSectors" | "totalSectors" | "warnPercent" | "dangerPercent">,
    label: string,
    which: DiskKind,
    maxCowSizeMiB: number,
  ) => {
    const pc = { machineId: m.id, machineName: m.name, host: m.host };
    const p = x.projection(m.id, which);
    const numbers = m.state === "ok" && m.percent !== null && m.usedSectors !== null && m.totalSectors !== null;
    const size = numbers ? `${mibText(m.usedSectors!)} of ${mibText(m.totalSectors!)}` : "";
    const filling = p?.mibPerMin ? `, filling at ${rateText(p.mibPerMin)}` : "";
    const key = (k: Condition["kind"]) => conditionKey(k, diskScope(m.id, which));

    for (const [kind, level] of [
      ["usage-warn", m.warnPercent],
      ["usage-danger", m.dangerPercent],
    ] as const) {
      look(
        numbers && m.percent! >= level
          ? { ...pc, key: key(kind), kind, message: `${label} passed ${level} % (${size}${filling})`, detail: { percent: m.percent, level } }
          : null,
        key(kind),
      );
    }

    // A projection is a warning until the PC is close (alerts.projectedDanger*): then it is a
    // condition of its own (key ":close"), so the step up is raised and notified as danger.
    const full = p?.fullInMs ?? null;
    const closeKey = `${key("projected-full")}:close`;
    const level = numbers ? projectionLevel(full, m.percent, limits, { warn: x.isOpen(key("projected-full")), danger: x.isOpen(closeKey) }) : null;
    const projection = (severity: "warn" | "danger") => ({
      ...pc,
      key: severity === "danger" ? closeKey : key("projected-full"),
      kind: "projected-full" as const,
      severity,
      message: `${label} will be full in about ${duration(full!)} (around ${clock(now + full!)}) at ${rateText(p!.mibPerMin)}: ${size} used${p!.ceilingSectors > m.totalSectors! ? `, up to ${mibText(p!.ceilingSectors)} with auto-extend` : ""}`,
      detail: { fullInMs: Math.round(full!), mibPerMin: p!.mibPerMin, ceilingSectors: p!.ceilingSectors },
    });
    look(level === "warn" ? projection("warn") : null, key("projected-full"));
    look(level === "danger" ? projection("danger") : null, closeKey);

    const last = p?.lastMibPerMin ?? null;
    look(
      m.state === "invalid"
        ? {
            ...pc,
            key: key("snapshot-invalid"),
            kind: "snapshot-invalid",
            message: `${label} died at ${clock(now)}: its snapshot is Invalid (COW full), last rate ${rateText(last)}. It fails every read and write until it is reset.`,
            detail: { lastMibPerMin: last },
          }
        : null,
      key("snapshot-invalid"),
    );
    look(
      m.state === "overflow"
        ? {
            ...pc,
            key: key("snapshot-overflow"),
            kind: "snapshot-overflow",
            message: `${label}'s COW is full (Overflow at ${clock(now)}), last rate ${rateText(last)}: its writes fail until it is reset.`,
            detail: { lastMibPerMin: last },
          }
        : null,
      key("snapshot-overflow"),
    );

    if (autoextendOn) {
      const past = numbers && m.percent! >= config.autoextend.threshold;
      const atMax = past && m.totalSectors! >= maxCowSizeMiB * 2048;
      look(
        atMax
          ? {
              ...pc,
              key: key("autoextend-max"),
              kind: "autoextend-max",
              message: `${label} is at its largest COW (${maxCowSizeMiB} MiB, maxCowSizeMiB) and ${m.percent} % full${filling}: auto-extend cannot grow it further; reset it when you can`,
            }
          : null,
        key("autoextend-max"),
      );
      // Raised by the auto-extender when the store refuses; cleared here once it is no longer needed.
      if (!past) scope.add(key("autoextend-refused"));
    }
  };
  for (const m of view.machines) {
    if (failing.has(m.host)) continue;
    const cfg = machines.get(m.id)!;
    disk(m, m.name, "system", cfg.maxCowSizeMiB);
    // The game disk is judged alike, under its own keys (pc:<id>:game): its own events, said as "retro-01's game disk".
    if (m.game && cfg.game) disk({ ...m, ...m.game }, `${m.name}'s game disk`, "game", cfg.game.maxCowSizeMiB);
  }

  for (const h of view.hosts) {
    const key = conditionKey("host-unreachable", `host:${h.name}`);
    look(
      h.failing
        ? {
            key,
            kind: "host-unreachable",
            host: h.name,
            message: `Storage host ${h.name} does not answer since ${clock(h.failing.since)} (${h.failing.message}): its ${h.machines} PCs show their last numbers`,
            detail: { since: h.failing.since },
          }
        : null,
      key,
    );
    if (h.failing) continue;
    for (const s of x.stores.get(h.name) ?? []) {
      const skey = conditionKey("store-low", `store:${h.name}:${s.dir}`);
      const low = s.freeBytes < s.reserveBytes + config.storage.lowSpaceMiB * MiB;
      look(
        low
          ? {
              key: skey,
              kind: "store-low",
              severity: s.freeBytes <= s.reserveBytes ? "danger" : "warn",
              host: h.name,
              message: `COW store ${s.dir} on ${h.name}: ${Math.floor(s.freeBytes / MiB)} MiB free of ${Math.floor(s.sizeBytes / MiB)} MiB, ${Math.floor(s.reserveBytes / MiB)} MiB of it kept in reserve${s.freeBytes <= s.reserveBytes ? ": no COW can grow" : ""}`,
              detail: { freeBytes: s.freeBytes, sizeBytes: s.sizeBytes, reserveBytes: s.reserveBytes },
            }
          : null,
        skey,
      );
    }
  }
  return { active, inScope: (k) => scope.has(k) };
}
