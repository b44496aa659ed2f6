import { existsSync } from "node:fs";
import { runHelper } from "../../../helper/run-helper";
import type { Config, Machine } from "../../config/schema";
import { AgentConnection } from "../agent/agent-connection";
import { AgentHost } from "../agent/agent-host";
import { inProcessSpawner } from "../agent/in-process";
import { groupLineage, type Lineage } from "../../../helper/storage/lineage";
import type { HelperOutput } from "../protocol";
import { errorText } from "../step-error";
import type { SimPcPort } from "./activity";
import { SimKernel } from "./kernel/kernel";
import { exceptionsForFraction } from "./snapshot-model";
import { faultRule } from "./sim-faults";
import { adoptPcs, readRoomFile, writeRoomFile } from "./sim-state";

const MiB = 1024 * 1024;
/** The 4 GiB XP image of the write-up. */
export const MASTER_MIB = 4 * 1024;
const MASTER_BYTES = MASTER_MIB * MiB;
/** A group's game disk master in the simulated store: 2 GiB. */
export const GAME_MASTER_MIB = 2 * 1024;
const GAME_MASTER_BYTES = GAME_MASTER_MIB * MiB;
const STATE_DIR = "/run/cowherd";
const LIB_DIR = "/var/lib/cowherd-helper";

/** A PC's starting condition (COWHERD_SIM_INIT, tests), said as what happened to its storage. */
export interface PcCondition {
  /** Its COW is this full (new data written through its snapshot). */
  fraction?: number;
  /** Its snapshot filled up: invalidated (P) or overflowed (PO); "ok": left as it is. */
  health?: "ok" | "invalid" | "overflow";
  /** It runs: its session at its target is open. */
  online?: boolean;
  /** false: its dm device was removed (and its LUN with it). */
  device?: boolean;
  /** false: its network card does not answer Wake-on-LAN. */
  wol?: boolean;
  /** Its device is left suspended (a kill between a suspend and its resume). */
  suspended?: boolean;
  /** false: its LUN is offline (tgtd restarted, or a kill during up). */
  exported?: boolean;
  /** "error": the error table a reset killed after dm-error leaves. */
  table?: "snapshot" | "error";
}

export const PC_CONDITIONS = ["fraction", "health", "online", "device", "wol", "suspended", "exported", "table"] as const;

export interface DemoHostOptions {
  /** Where the room persists (absent: in memory only). */
  stateFile?: string;
  /** Latency of each mutating command and dm worker request, so reset steps can be watched. */
  stepMs: number;
  /** A new room: "demo" is lively with one PC close to full, "fresh" has every PC empty and off. */
  scenario: "demo" | "fresh";
  /** The store filesystem's size (MiB, default 64 GiB). */
  storeMiB?: number;
  /** Per-PC conditions for a new room. */
  init?: Record<string, PcCondition>;
  /** The host does not answer (a demo of an outage): why. */
  down?: string | null;
  log?: (line: string) => void;
}

/** What a helper's answer says went wrong, in words (no raw JSON). */
function failures(output: HelperOutput | null): string {
  if (!output) return "no answer";
  if ("error" in output && output.error && typeof output.error === "object") return output.error.message;
  if ("machines" in output && output.verb !== "status") {
    const bad = output.machines.filter((r) => !r.ok).map((r) => `PC ${r.id}${r.step ? ` at ${r.step}` : ""}: ${r.error ?? "failed"}`);
    return list(bad, 3);
  }
  return "failed";
}

const list = (xs: string[], n = 5) => xs.slice(0, n).join(", ") + (xs.length > n ? ` and ${xs.length - n} more` : "");

/**
 * The built-in storage host: cowherd-helper's own code (runHelper, as the agent runs it as root)
 * over a simulated kernel, reached through the agent protocol in-process — the web app talks to it
 * exactly as to a real host. The room is made by the helper's own `up`; its PCs (activity.ts)
 * write into their snapshots and open sessions at the kernel's level. State persists across
 * restarts (the kernel, the helper's state files in it included).
 */
export class DemoHost extends AgentHost implements SimPcPort {
  readonly kernel: SimKernel;
  /** The room is built (or loaded): the agent may start. */
  private readonly built: Promise<void>;
  /** The agent has said hello and the room's starting conditions are in place. */
  readonly ready: Promise<void>;
  /** No state file was found: the room was just created. */
  readonly fresh: boolean;
  private readonly machines: Machine[];
  private readonly byId: Map<number, Machine>;
  private readonly helperConfig: Config;
  private down: string | null;
  private dirty = false;
  private readonly noWol = new Set<number>();
  /** Bytes each PC wrote that do not fill a chunk yet. */
  private readonly partial = new Map<number, number>();

  constructor(
    config: Config,
    name: string,
    private readonly opts: DemoHostOptions,
  ) {
    const machines = config.machines.filter((m) => m.host === name);
    // The agent's spawner is made before super() (which takes the connection), when `this` may not be named yet.
    // biome-ignore lint/complexity/noUselessThisAlias: the alias is set after super(), read only when the agent starts
    let self: DemoHost | undefined;
    const conn = new AgentConnection(
      name,
      inProcessSpawner((agent) => self!.startAgent(agent)),
      { machines: machines.map((m) => m.id), backoffMs: 250, maxBackoffMs: 5_000, ...(opts.log ? { log: opts.log } : {}) },
    );
    super(conn, config.helper.timeoutMs);
    self = this;
    this.machines = machines;
    this.byId = new Map(machines.map((m) => [m.id, m]));
    // The helper on this host knows its own PCs only (its /etc/cowherd/config.json).
    this.helperConfig = { ...config, machines };
    this.down = opts.down ?? null;
    const loaded = opts.stateFile ? readRoomFile(opts.stateFile) : null;
    this.fresh = !loaded;
    if (!loaded && opts.stateFile && existsSync(opts.stateFile)) {
      opts.log?.(`cowherd: simulated host ${name}: ${opts.stateFile} is not a simulated kernel's state (one from an older Cowherd?): the room is made afresh`);
    }
    // Built without latency: the room is made before anyone watches.
    this.kernel = loaded ? SimKernel.fromJSON(loaded.kernel) : new SimKernel({ storeBytes: (opts.storeMiB ?? 64 * 1024) * MiB });
    this.kernel.onChange = () => void (this.dirty = true);
    this.built = (loaded ? this.adopt(loaded.pcs) : this.build()).then(() => this.persist());
    // Only PCs kept from the file (same identity) stay deaf to Wake-on-LAN.
    for (const id of loaded?.noWol ?? [])
      if (loaded?.pcs.some((p) => p.id === id && this.byId.get(id)?.name === p.name && this.byId.get(id)?.ip === p.ip)) this.noWol.add(id);
    conn.start();
    this.ready = this.built.then(() => this.afterHello(loaded ? undefined : opts.init));
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  private machine(id: number): Machine {
    const m = this.byId.get(id);
    if (!m) throw new Error(`no machine ${id} on ${this.name}`);
    return m;
  }

  /** One helper process (a one-shot `cowherd-helper <argv>`) on this host. */
  private async helper(argv: string[], config: Config = this.helperConfig) {
    const { io } = this.kernel.io(() => config, { stateDir: STATE_DIR, libDir: LIB_DIR });
    return runHelper(argv, io);
  }

  private startAgent(agent: { input: NodeJS.ReadableStream; write(line: string): void }) {
    if (this.down) throw new Error(this.down);
    const { io, process } = this.kernel.io(() => this.helperConfig, { stateDir: STATE_DIR, libDir: LIB_DIR, agent });
    return { done: this.built.then(() => runHelper(["serve"], io)), kill: () => (process.kill(), this.down ?? undefined) };
  }

  /** A new room: the master put in the store, every PC set up by the helper's `up`, then lived in. */
  private async build(): Promise<void> {
    for (const g of this.helperConfig.groups) {
      this.kernel.addFile(g.master, MASTER_BYTES);
      // Its game disk's master (the game library): smaller than a system image, sparse like it.
      if (g.game) this.kernel.addFile(g.game.master, GAME_MASTER_BYTES);
    }
    await this.up(this.machines);
    const demo = this.opts.scenario === "demo";
    for (const m of this.machines) {
      // Demo room: most PCs running, written to a varying degree (up to about 40 %), PC 7 well on
      // its way to full (the simulated PCs, activity.ts, keep it filling slowly).
      if (demo) {
        const online = m.id % 5 !== 0;
        this.setMachine(m.id, { online, fraction: m.id === 7 ? 0.86 : online ? 0.03 + ((m.id * 37) % 100) / 260 : 0.01 * (m.id % 3) });
        // Its game disk (its group has one): games' settings and caches, a few to 30 % of its COW.
        if (m.game && online) this.kernel.write(m.game.dmName, Math.round((0.04 + ((m.id * 53) % 100) / 400) * m.game.cowSizeMiB) * MiB);
      }
      const init = this.opts.init?.[String(m.id)];
      if (init) this.setMachine(m.id, { ...init, suspended: false, exported: true, table: "snapshot" });
    }
  }

  /**
   * Once the agent is up: the conditions a dead process leaves (a device suspended, a LUN offline,
   * an error table) are staged only now, as the agent's start-up repair would mend them before
   * hello. The latency is on from here (the room was made without it).
   */
  private async afterHello(init: Record<string, PcCondition> | undefined): Promise<void> {
    await this.status().catch(() => undefined);
    for (const [id, c] of Object.entries(init ?? {})) {
      if (!this.byId.has(Number(id))) continue;
      const { suspended, exported, table } = c;
      this.setMachine(Number(id), {
        ...(suspended ? { suspended } : {}),
        ...(exported === false ? { exported } : {}),
        ...(table === "error" ? { table } : {}),
      });
    }
    this.kernel.stepMs = this.opts.stepMs;
  }

  private async up(pcs: Machine[]): Promise<void> {
    if (!pcs.length) return;
    const r = await this.helper(["up", ...pcs.map((m) => String(m.id))]);
    if (r.code !== 0) this.opts.log?.(`cowherd: simulated host ${this.name}: setting up ${list(pcs.map((m) => m.name))} failed: ${failures(r.output)}`);
  }

  /**
   * A room loaded from its state file: PCs that are no longer configured, or whose id now names
   * another PC, are taken down by the helper's `down` (as configured then); PCs new to the room are
   * set up by its `up`. Says what it kept and dropped.
   */
  private async adopt(stored: Machine[]): Promise<void> {
    // A group new to the room (a demo room from before its groups) gets its master, as build() gives them.
    for (const g of this.helperConfig.groups) if (!this.kernel.exists(g.master)) this.kernel.addFile(g.master, MASTER_BYTES);
    // A stored PC's master: its group's, or (a group no longer configured: the one of before groups) storage.master.
    const masterOf = (m: Machine) => this.helperConfig.groups.find((g) => g.name === m.group)?.master ?? this.helperConfig.storage.master;
    const { kept, dropped } = adoptPcs(stored, this.machines, (was, now) => masterOf(was) === masterOf(now));
    if (dropped.length) {
      // Taken down as configured then; its group, when no longer configured, is the first (the helper knows no other).
      const known = (m: Machine) => (this.helperConfig.groups.some((g) => g.name === m.group) ? m : { ...m, group: this.helperConfig.groups[0]!.name });
      const r = await this.helper(["down", ...dropped.map((d) => String(d.was.id))], { ...this.helperConfig, machines: dropped.map((d) => known(d.was)) });
      if (r.code !== 0) this.opts.log?.(`cowherd: simulated host ${this.name}: taking down dropped PCs failed: ${failures(r.output)}`);
      // `down` keeps a COW file (a later `up` takes it back): another PC's disk is deleted, as an admin would.
      const admin = this.kernel.spawn();
      for (const d of dropped) admin.fs.remove(d.was.cowPath);
      admin.kill();
      const said = dropped.map((d) => `${d.was.name} ${d.was.ip}${d.now ? ` (id ${d.was.id} is now ${d.now.name} ${d.now.ip})` : " (no longer configured)"}`);
      this.opts.log?.(
        `cowherd: simulated host ${this.name}: the room changed: kept the state of ${kept.length} PC(s)${kept.length ? ` (${list(kept.map((m) => m.name))})` : ""}; dropped ${dropped.length}: ${list(said)}`,
      );
    }
    const keptIds = new Set(kept.map((m) => m.id));
    await this.up(this.machines.filter((m) => !keptIds.has(m.id)));
  }

  // ── the simulated PCs (SimPcPort) ──────────────────────────────────────────────────────────
  writeBytes(id: number, bytes: number): void {
    const m = this.byId.get(id);
    if (!m || bytes <= 0 || !this.kernel.sessionOpen(m.iqn)) return; // in update mode it writes the draft (a plain file: no COW fills)
    // A slow writer's small writes fill a chunk before it takes a new one: whole chunks only, the rest carried.
    const chunk = m.chunkSectors * 512;
    const total = (this.partial.get(id) ?? 0) + bytes;
    const whole = Math.floor(total / chunk);
    this.partial.set(id, total - whole * chunk);
    if (whole) this.kernel.write(m.dmName, whole * chunk);
  }

  /** The PC's group's line of versions (its update target, its state file). */
  private lineageOf(m: Machine): Lineage {
    return groupLineage(this.helperConfig, this.helperConfig.groups.find((g) => g.name === m.group) ?? this.helperConfig.groups[0]!);
  }

  /** The PC in update mode in its group (its boot script sanboots the update target), from the helper's own state file. */
  private updatePc(l: Lineage): number | null {
    try {
      const d = (JSON.parse(this.kernel.read(`${LIB_DIR}/${l.stateFile}`) ?? "null") as { draft?: { machine: number; state: string } | null } | null)?.draft;
      return d && d.state === "ready" ? d.machine : null;
    } catch {
      return null;
    }
  }

  /** The target the PC boots from: its group's update target while it is in update mode, else its own. */
  private bootTarget(m: Machine): string {
    const l = this.lineageOf(m);
    return this.updatePc(l) === m.id ? l.update.iqn : m.iqn;
  }

  setSession(id: number, open: boolean): void {
    const m = this.machine(id);
    const initiator = { iqn: `iqn.1991-05.com.microsoft:${m.name}`, ip: m.ip };
    if (open) this.kernel.login(this.bootTarget(m), initiator);
    else for (const iqn of [m.iqn, this.lineageOf(m).update.iqn]) this.kernel.logoutInitiator(iqn, initiator.iqn);
  }

  sessionOpen(id: number): boolean {
    const m = this.byId.get(id);
    return !!m && (this.kernel.sessionOpen(m.iqn) || this.kernel.sessionOf(this.lineageOf(m).update.iqn, `iqn.1991-05.com.microsoft:${m.name}`));
  }

  usedBytes(id: number): number | null {
    const m = this.byId.get(id);
    const u = m && this.kernel.snapshotUsage(m.dmName);
    return u ? u.usedSectors * 512 : null;
  }

  answersWol(id: number): boolean {
    return !this.noWol.has(id);
  }

  // ── test and demo control ──────────────────────────────────────────────────────────────────
  /** A PC writes `sectors` of new data through its snapshot (running or not: a test's shortcut). */
  write(id: number, sectors: number): void {
    this.kernel.write(this.machine(id).dmName, sectors * 512);
  }

  /** Puts a PC into a condition, by doing to its storage what would bring it there. */
  setMachine(id: number, c: PcCondition): void {
    const m = this.machine(id);
    if (c.wol !== undefined) {
      if (c.wol) this.noWol.delete(id);
      else this.noWol.add(id);
      this.dirty = true;
    }
    if (c.fraction !== undefined) {
      const g = { cowSectors: m.cowSizeMiB * 2048, chunkSectors: m.chunkSectors };
      const now = this.kernel.snapshotUsage(m.dmName);
      const have = now ? exceptionsForFraction(now.usedSectors / now.totalSectors, g) : 0;
      const want = exceptionsForFraction(c.fraction, g);
      if (want > have) this.kernel.write(m.dmName, (want - have) * m.chunkSectors * 512);
    }
    if (c.health && c.health !== "ok") this.kernel.dmk.spoil(m.dmName, c.health);
    if (c.online !== undefined) this.setSession(id, c.online);
    if (c.table === "error") this.kernel.stage(m.dmName, "error-table");
    if (c.suspended) this.kernel.stage(m.dmName, "suspended");
    if (c.exported === false) this.kernel.stage(m.dmName, "lun-offline");
    if (c.device === false) this.kernel.removeDevice(m.dmName);
  }

  /** Makes a PC's step fail (`times` times) at the simulated kernel's operation for it (sim-faults.ts). */
  injectFault(id: number, step: string, times = 1, message?: string): void {
    this.kernel.failWhen.push(faultRule(this.machine(id), step, times, message));
  }

  clearFaults(): void {
    this.kernel.failWhen = [];
  }

  /** The host stops answering (its agent dies and cannot be started again) — null: it answers again. */
  setDown(error: string | null): void {
    this.down = error;
    if (error) this.conn.killForTest();
    else this.conn.start();
  }

  /** The update PC has (or has not) a session on the update target (the first group's). */
  setUpdateSession(online: boolean): void {
    const iqn = groupLineage(this.helperConfig, this.helperConfig.groups[0]!).update.iqn;
    if (!online) return this.kernel.logout(iqn);
    for (const m of this.machines) if (this.kernel.login(iqn, { iqn: `iqn.1991-05.com.microsoft:${m.name}`, ip: m.ip })) return;
  }

  override close(): void {
    super.close();
    this.persist();
  }

  /** Writes the room if anything changed (the scheduler calls it; so does close). */
  persist(): void {
    if (!this.dirty || !this.opts.stateFile) return;
    try {
      writeRoomFile(this.opts.stateFile, { version: 2, pcs: this.machines, kernel: this.kernel.toJSON(), noWol: [...this.noWol] });
      this.dirty = false;
    } catch (e) {
      this.opts.log?.(`cowherd: simulated host ${this.name}: cannot save ${this.opts.stateFile}: ${errorText(e)}`);
    }
  }
}
