import type { Config, DiskKind } from "../config/schema";
import type { ResetRow } from "../db/history";
import type { DiskHostStatus, HostHealth, MachineState, StoreSpace } from "../host/types";
import { imagesOfGroup } from "../host/images";
import type { ResetProgress } from "../reset/orchestrator";
import type { HostReading } from "./room";
import type { BootInfo, BootState } from "../boot/tracker";
import type { BootResult, BootRow } from "../db/boots";
import type { KeepMark } from "../db/keeps";
import { FIRST_PAINT_PCS, roomCounts, type RoomCounts } from "../client/room-counts";

export { FIRST_PAINT_PCS };
import { projectionLevel, projectionLimits, type ProjectionLevel } from "../usage/projection-level";

/** What the grid shows: a state a person can act on, derived from the kernel's. */
export type Level = "normal" | "warn" | "danger" | "invalid" | "overflow" | "missing" | "unknown";

/**
 * The one badge a PC shows: its level, or a condition that leaves the PC unusable even when its
 * numbers look fine (a suspended device, a LUN the PCs cannot see, a device with no snapshot live,
 * a fault the host reports in words such as a COW file replaced under a running PC, a storage host
 * that does not answer). The most urgent wins; the summary bar counts each.
 */
export type Condition = Level | "unreachable" | "suspended" | "unexported" | "no-snapshot" | "storage-fault";

export interface MachineView {
  id: number;
  name: string;
  ip: string;
  dmName: string;
  state: MachineState;
  level: Level;
  /** The badge to show (see Condition); "normal" only when nothing at all is wrong. */
  condition: Condition;
  usedSectors: number | null;
  totalSectors: number | null;
  percent: number | null;
  online: boolean;
  exported: boolean;
  suspended: boolean;
  lastResetAt: number | null;
  lastReset: {
    id: number;
    at: number;
    endedAt: number | null;
    result: string;
    outcome: string | null;
    failedStep: string | null;
    error: string | null;
    source: string;
  } | null;
  reset: ResetProgress | null;
  /** What is wrong with its storage beyond the snapshot's state (from the host), in words. */
  problem: string | null;
  /** Its problem is its whole host's (hosts[].problem): the card points there instead of repeating it. */
  problemIsHost: boolean;
  /** Where it is in its boot through Cowherd, and how its last boot went. */
  boot: {
    state: BootState;
    since: number;
    last: { startedAt: number; endedAt: number | null; result: BootResult; failedStep: string | null; error: string | null } | null;
  };
  /** A reset waiting for its next boot (set while it was up). */
  pendingReset: { requestedBy: string | null; requestedAt: number; lastError: string | null } | null;
  /** An admin's "keep" mark: bulk, event, scheduled and next-boot resets leave it alone (lib/reset/keep.ts). */
  kept: KeepMark | null;
  /**
   * The master image version its disk sits on and the current one it moves to at its next reset
   * (null when the host does not say), and, for the update PC, the state of the draft it boots.
   */
  image: { version: number | null; current: number | null; update: { n: number; state: "copying" | "ready" } | null };
  /** The storage host that holds this PC. */
  host: string;
  /** Its PC group (config groups; "default" without them). */
  group: string;
  /** Its own warning and danger levels (machines[].warnPercent / dangerPercent, else the room's). */
  warnPercent: number;
  dangerPercent: number;
  /** How it grows: its COW's configured and largest size, fill rate, time to full, and what keeps it from growing. */
  growth: Growth;
  /** When its numbers were read; older than the view's readAt when its host stopped answering. */
  dataAt: number | null;
  /**
   * Its game disk (its group has one), read and judged like the system disk; the PC's `condition`
   * is the more urgent of the two disks' (a full game disk breaks the seat too).
   */
  game: GameDiskView | null;
  /** Which disk `condition` is: "game" when its game disk's is the more urgent (its badge says "game disk"). */
  conditionDisk: DiskKind;
  /** Its system disk's own condition (the system bar's colour when `condition` is the game disk's). */
  systemCondition: Condition;
}

/** A PC's game disk as the grid shows it: the system disk's fields, for the second snapshot. */
export interface GameDiskView {
  state: MachineState;
  level: Level;
  condition: Condition;
  usedSectors: number | null;
  totalSectors: number | null;
  percent: number | null;
  exported: boolean;
  suspended: boolean;
  problem: string | null;
  /** The game disk version it sits on, the group's current one, and its game draft when it is the update PC. */
  image: MachineView["image"];
  growth: Growth;
}

export interface Growth {
  cowSizeMiB: number;
  maxCowSizeMiB: number;
  /** MiB per minute over the rate window; null while there is too little to say. */
  mibPerMin: number | null;
  /** Until full at that rate (its maximum when auto-extend can still grow it); 0 = full now; null = not filling. */
  fullInMs: number | null;
  ceilingSectors: number | null;
  /** Why auto-extend cannot grow it (refused by the store's reserve, at its largest size). */
  blocked: string | null;
  /** What its projection means: a warning (full within the alert limit), danger (close: act now), or nothing. */
  level: ProjectionLevel;
}

/** What the grid shows of growth: the usage sampler's projections and the open auto-extend conditions. */
export interface GrowthFacts {
  projection(id: number, disk?: DiskKind): { mibPerMin: number | null; fullInMs: number | null; ceilingSectors: number } | null;
  /** The open auto-extend condition that stops its growth, if any (the grid says it in words: BLOCKED_TEXT). */
  blocked(id: number, disk?: DiskKind): GrowthBlock | null;
}

export type GrowthBlock = "autoextend-max" | "autoextend-refused";

/** What the grid says of a PC whose auto-extend is stopped. */
const BLOCKED_TEXT: Record<GrowthBlock, string> = {
  "autoextend-max": "at its largest size (maxCowSizeMiB)",
  "autoextend-refused": "auto-extend refused: the COW store would go below its reserve",
};

const NO_GROWTH: GrowthFacts = { projection: () => null, blocked: () => null };

/** A storage host as the grid shows it: up, or unreachable since when and why. */
export interface HostView {
  name: string;
  health: HostHealth;
  /** Set while its reads fail: its PCs show the last good data, marked unknown. */
  failing: { since: number; message: string } | null;
  /** A fault every one of its PCs reports in the same words (its iSCSI target down, say): said once. */
  problem: string | null;
  lastReadAt: number | null;
  machines: number;
  /** Free space of its COW stores (and the reserve kept on each), as it last said. */
  stores: StoreSpace[];
}

export interface MachinesView {
  lanName: string;
  readAt: number;
  warnPercent: number;
  dangerPercent: number;
  /** A PC projected to be full within this many minutes is an event (and urgent on its card). */
  projectedFullMinutes: number;
  /** Auto-extend as configured (lvm2's threshold and percent), or null when off. */
  autoextend: { threshold: number; percent: number } | null;
  hosts: HostView[];
  /** The PC groups, in config order (one, "default", without groups): the grid offers a filter when there are several. */
  groups: { name: string; label: string }[];
  machines: MachineView[];
  /**
   * Set on a big room's first paint (firstPaint): `machines` holds only its first PCs, these are the
   * whole room's numbers; the grid's first poll brings every PC.
   */
  partial?: { counts: RoomCounts };
}

/**
 * The dashboard's first paint: the room's numbers and its first PCs, not every PC's full detail
 * (at 250 PCs that was 1.4 MB of HTML before anything showed). The grid fetches the rest at once.
 */
export function firstPaint(view: MachinesView, n = FIRST_PAINT_PCS): MachinesView {
  if (view.machines.length <= n) return view;
  return { ...view, machines: view.machines.slice(0, n), partial: { counts: roomCounts(view.machines) } };
}

export function levelOf(state: MachineState, percent: number | null, cfg: { warnPercent: number; dangerPercent: number }): Level {
  if (state === "invalid" || state === "overflow" || state === "missing") return state;
  if (state !== "ok" || percent === null) return "unknown";
  if (percent >= cfg.dangerPercent) return "danger";
  if (percent >= cfg.warnPercent) return "warn";
  return "normal";
}

/** What the grid shows of boots: the tracker's state, each PC's newest boot, pending resets. */
export interface BootFacts {
  state(id: number): BootInfo;
  lastBoots: ReadonlyMap<number, BootRow>;
  pending: ReadonlyMap<number, MachineView["pendingReset"] & {}>;
}

const NO_BOOTS: BootFacts = { state: () => ({ state: "off", since: 0, bootId: null }), lastBoots: new Map(), pending: new Map() };

/** Most urgent first: which of a PC's two disks' conditions its badge shows. */
const URGENCY: readonly Condition[] = [
  "unreachable",
  "invalid",
  "overflow",
  "missing",
  "suspended",
  "no-snapshot",
  "storage-fault",
  "unexported",
  "danger",
  "warn",
  "unknown",
  "normal",
];

/** The more urgent of two conditions (the system disk's on a tie). */
export function worseCondition(a: Condition, b: Condition): Condition {
  return URGENCY.indexOf(b) < URGENCY.indexOf(a) ? b : a;
}

/** The most urgent thing wrong with a PC, or its usage level when nothing is. */
export function conditionOf(
  m: { state: MachineState; level: Level; exported: boolean; suspended: boolean; problem: string | null },
  host: { failing: boolean; reported: boolean },
): Condition {
  if (host.failing) return "unreachable";
  if (m.state === "missing" || m.state === "invalid" || m.state === "overflow") return m.level;
  if (m.suspended) return "suspended";
  // The host reported the device, but no snapshot table is live on it (an error table, a table never resumed).
  if (m.state === "unknown" && host.reported) return "no-snapshot";
  // The host says in words what is wrong (and a reset refuses the PC until it is mended).
  if (m.problem) return "storage-fault";
  if (!m.exported && host.reported) return "unexported";
  return m.level;
}

export function buildMachinesView(
  cfg: Config,
  readings: readonly HostReading[],
  lastResets: ReadonlyMap<number, ResetRow>,
  lastOk: ReadonlyMap<number, number>,
  progress: ReadonlyMap<number, ResetProgress>,
  now: number,
  boots: BootFacts = NO_BOOTS,
  growth: GrowthFacts = NO_GROWTH,
  kept: ReadonlyMap<number, KeepMark> = new Map(),
): MachinesView {
  const byId = new Map(readings.flatMap((r) => (r.status?.machines ?? []).map((s) => [s.id, { s, reading: r }] as const)));
  const byHost = new Map(readings.map((r) => [r.name, r]));
  // A fault that every PC of a host (two or more) reports in the same words belongs to the host.
  const hostProblems = new Map<string, string>();
  for (const r of readings) {
    const ps = r.failing ? [] : (r.status?.machines ?? []).map((s) => s.problem ?? null);
    if (ps.length >= 2 && ps[0] && ps.every((p) => p === ps[0])) hostProblems.set(r.name, ps[0]);
  }
  return {
    lanName: cfg.lanName,
    groups: cfg.groups.map((g) => ({ name: g.name, label: g.label })),
    readAt: now,
    warnPercent: cfg.warnPercent,
    dangerPercent: cfg.dangerPercent,
    projectedFullMinutes: cfg.alerts.projectedFullMinutes,
    autoextend: cfg.autoextend.threshold < 100 ? { ...cfg.autoextend } : null,
    hosts: readings.map((r) => ({
      name: r.name,
      health: r.health,
      failing: r.failing,
      problem: hostProblems.get(r.name) ?? null,
      lastReadAt: r.status?.readAt ?? null,
      machines: cfg.machines.filter((m) => m.host === r.name).length,
      stores: r.status?.stores ?? [],
    })),
    machines: cfg.machines.map((m) => {
      const found = byId.get(m.id);
      const s = found?.s;
      const hostFailing = !!byHost.get(m.host)?.failing;
      const hostStatus = byHost.get(m.host)?.status;
      // One disk's numbers and judgement: the system disk's from the PC's status, the game disk's from its `game`.
      const judge = (d: DiskHostStatus | undefined, sizes: { cowSizeMiB: number; maxCowSizeMiB: number }, disk: DiskKind) => {
        // A host that does not answer: its PCs are unknown, but their last numbers stay on show.
        const state: MachineState = hostFailing ? "unknown" : (d?.state ?? (hostStatus ? "missing" : "unknown"));
        const used = d?.usedSectors ?? null;
        const total = d?.totalSectors ?? null;
        const percent = used !== null && total ? Math.round((used / total) * 1000) / 10 : null;
        const level = levelOf(state, percent, m);
        const exported = d?.exported ?? false;
        const suspended = d?.suspended ?? false;
        const problem = d?.problem ?? null;
        const condition = conditionOf({ state, level, exported, suspended, problem }, { failing: hostFailing, reported: !!d });
        const p = hostFailing ? null : growth.projection(m.id, disk);
        const block = growth.blocked(m.id, disk);
        const grows: Growth = {
          cowSizeMiB: sizes.cowSizeMiB,
          maxCowSizeMiB: sizes.maxCowSizeMiB,
          mibPerMin: p?.mibPerMin ?? null,
          fullInMs: p?.fullInMs ?? null,
          ceilingSectors: p?.ceilingSectors ?? null,
          blocked: block ? BLOCKED_TEXT[block] : null,
          level: state === "ok" ? projectionLevel(p?.fullInMs ?? null, percent, projectionLimits(cfg.alerts)) : null,
        };
        const im = imagesOfGroup(hostStatus, m.group, cfg.groups[0]!.name, disk);
        const draft = im?.draft?.machine === m.id ? im.draft : null;
        const image = { version: d?.version ?? null, current: im?.current ?? null, update: draft ? { n: draft.n, state: draft.state } : null };
        return { state, level, condition, usedSectors: used, totalSectors: total, percent, exported, suspended, problem, image, growth: grows };
      };
      const sys = judge(s, m, "system");
      const game = m.game ? judge(s?.game, m.game, "game") : null;
      const { state, level, percent, exported, suspended, problem } = sys;
      const used = sys.usedSectors;
      const total = sys.totalSectors;
      const last = lastResets.get(m.id);
      return {
        id: m.id,
        name: m.name,
        ip: m.ip,
        dmName: m.dmName,
        state,
        level,
        condition: game ? worseCondition(sys.condition, game.condition) : sys.condition,
        conditionDisk: game && worseCondition(sys.condition, game.condition) !== sys.condition ? "game" : "system",
        systemCondition: sys.condition,
        usedSectors: used,
        totalSectors: total,
        percent,
        online: !hostFailing && (s?.online ?? false),
        exported,
        suspended,
        lastResetAt: lastOk.get(m.id) ?? null,
        lastReset: last
          ? {
              id: last.id,
              at: last.startedAt,
              endedAt: last.endedAt,
              result: last.result,
              outcome: last.outcome,
              failedStep: last.failedStep,
              error: last.error,
              source: last.source,
            }
          : null,
        reset: progress.get(m.id) ?? null,
        problem,
        problemIsHost: problem !== null && hostProblems.get(m.host) === problem,
        boot: (() => {
          const b = boots.state(m.id);
          const last = boots.lastBoots.get(m.id);
          return {
            state: b.state,
            since: b.since,
            last: last ? { startedAt: last.startedAt, endedAt: last.endedAt, result: last.result, failedStep: last.failedStep, error: last.error } : null,
          };
        })(),
        pendingReset: boots.pending.get(m.id) ?? null,
        kept: kept.get(m.id) ?? null,
        image: sys.image,
        host: m.host,
        group: m.group,
        warnPercent: m.warnPercent,
        dangerPercent: m.dangerPercent,
        growth: sys.growth,
        dataAt: found?.reading.status?.readAt ?? null,
        game,
      };
    }),
  };
}
