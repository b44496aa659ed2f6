import type { Env } from "./config/env";
import path from "node:path";
import type Database from "better-sqlite3";
import { loadConfig } from "./config/load";
import type { Config } from "./config/schema";
import { openDatabase } from "./db/open";
import { HistoryRepo } from "./db/history";
import { createHosts } from "./host/create-hosts";
import { simRoom } from "./host/sim/demo-room";
import type { SimActivity } from "./host/sim/activity";
import { bootScriptFor } from "./boot/handlers";
import { ofCurrentPcs, pcIdentity, roomChanges } from "./config/room-identity";
import { ResetOrchestrator } from "./reset/orchestrator";
import { clearNextBootMark } from "./reset/requests";
import { Room } from "./status/room";
import { BootRepo } from "./db/boots";
import { KeepRepo } from "./db/keeps";
import { Keeps } from "./reset/keep";
import { BootTracker } from "./boot/tracker";
import { buildMachinesView, type MachinesView } from "./status/machines-view";
import { SessionRepo } from "./auth/sessions";
import { UserRepo, ensureAdmin } from "./auth/users";
import { Scheduler } from "./scheduler";
import { AuditRepo } from "./db/audit";
import { TokenRepo } from "./auth/tokens";
import { LoginLimiter } from "./auth/login-limiter";
import { KnownLogins } from "./auth/known-logins";
import { UsageRepo } from "./db/usage";
import { EventRepo } from "./db/events";
import { AlertTargetRepo } from "./db/alert-targets";
import { UsageSampler } from "./usage/sampler";
import { AutoExtender } from "./usage/auto-extender";
import { conditionKey, diskScope, EventLog } from "./events/event-log";
import { Notifier } from "./events/notifier";
import { RoomWatch } from "./events/room-watch";
import { Waker } from "./wol/wake";
import type { HostReading } from "./status/room";
import { ImageRepo } from "./db/images";
import { ImageService } from "./images/image-service";
import { ScheduleRunRepo } from "./db/schedule-runs";
import { ScheduleRunner, TICK_MS as SCHEDULE_TICK_MS } from "./schedule/runner";
import { scheduleWords } from "./schedule/view";

export interface Runtime {
  config: Config;
  dataDir: string;
  db: Database.Database;
  /** The storage hosts and their status reads. */
  room: Room;
  /** Boots through the iPXE script and "reset at next boot" requests. */
  boots: BootRepo;
  /** PCs an admin marked "keep": every reset but a confirmed single one leaves them alone. */
  keeps: Keeps;
  bootTracker: BootTracker;
  history: HistoryRepo;
  orchestrator: ResetOrchestrator;
  users: UserRepo;
  sessions: SessionRepo;
  scheduler: Scheduler;
  audit: AuditRepo;
  tokens: TokenRepo;
  limiter: LoginLimiter;
  knownLogins: KnownLogins;
  /** Usage history (samples, buckets, room totals) and the sampler that fills it from the room watch. */
  usage: UsageRepo;
  sampler: UsageSampler;
  /** Events (conditions and occurrences), where notifications go, and who sends them. */
  events: EventRepo;
  eventLog: EventLog;
  alertTargets: AlertTargetRepo;
  notifier: Notifier;
  /** Online auto-extend and Grow. */
  extender: AutoExtender;
  /** Wake-on-LAN jobs. */
  waker: Waker;
  /** Each look at the room: boots, usage, events, auto-extend. */
  watch: RoomWatch;
  /** Master image versions: update mode, publish, discard, make current, delete. */
  images: ImageService;
  /** Scheduled resets and draft clean-up (config `schedule`): their rules' last runs. */
  schedule: ScheduleRunner;
  /** The simulated PCs of each simulated storage host (none on real hosts). */
  activities: ReadonlyMap<string, SimActivity>;
  machinesView(): Promise<MachinesView>;
  /**
   * What a server does once it serves: mark resets left running as interrupted, create the first
   * admin, apply audit retention, record server.start, start the jobs. Runs once; createRuntime
   * runs it unless told to defer it (the server, until its port is bound: a start that fails on a
   * busy port must not print a one-time password nobody can use, nor write into the audit log and
   * history of the instance already running on the same data dir).
   */
  start(): Promise<void>;
  /** True once start() has finished: until then the HTTP front serves only the legacy route. */
  isStarted(): boolean;
  close(): void;
}

export async function createRuntime(env: Env = process.env, log: (line: string) => void = console.log, opts: { deferStart?: boolean } = {}): Promise<Runtime> {
  const config = loadConfig(env);
  const dataDir = path.resolve(/*turbopackIgnore: true*/ env.COWHERD_DATA_DIR ?? "data");
  const db = openDatabase(path.join(/*turbopackIgnore: true*/ dataDir, "cowherd.sqlite"));
  const history = new HistoryRepo(db);
  const room = new Room(config, createHosts(config, dataDir, env, log));
  const boots = new BootRepo(db);
  const keeps = new Keeps(new KeepRepo(db), config.machines);
  const orchestrator = new ResetOrchestrator(config, room, history, Date.now, { onFresh: (id, startedAt) => clearNextBootMark(boots, id, startedAt) });
  const bootTracker = new BootTracker(config, boots);
  const users = new UserRepo(db);
  const sessions = new SessionRepo(db, {
    idleMs: config.session.idleMinutes * 60_000,
    absoluteMs: config.session.absoluteHours * 3_600_000,
  });
  const audit = new AuditRepo(db);
  const tokens = new TokenRepo(db);
  const limiter = new LoginLimiter({
    free: config.login.freeAttempts,
    maxDelayMs: config.login.maxDelaySeconds * 1000,
    windowMs: config.login.windowMinutes * 60_000,
  });
  const knownLogins = new KnownLogins(db, { deviceDays: config.login.knownDeviceDays, addressDays: config.login.knownAddressDays });
  const usage = new UsageRepo(db);
  const sampler = new UsageSampler(config, usage);
  const events = new EventRepo(db);
  const alertTargets = new AlertTargetRepo(db);
  const notifier = new Notifier(alertTargets, {
    lanName: config.lanName,
    perMinute: config.alerts.perMinute,
    refuseLocal: config.alerts.refuseLocalTargets,
    link: (a) => (config.publicUrl ? `${config.publicUrl.replace(/\/$/, "")}${a.machine ? `/machines/${a.machine.id}` : "/events"}` : null),
  });
  const eventLog = new EventLog(events, (e) => notifier.enqueue(e));
  const extender = new AutoExtender(config, room, eventLog, (id) => orchestrator.progress().has(id));
  // Simulated PCs boot through the same route a real PC's iPXE fetch takes (so boots, resets at next
  // boot and boot history are what a real room shows); `self` is the runtime returned below.
  let self: Runtime | undefined;
  const sim = simRoom(config, room.hosts(), env, (m) =>
    bootScriptFor(self!, { peer: m.ip, forwardedFor: undefined, localAddress: "127.0.0.1", userAgent: "iPXE/1.21.1 (simulated)" }),
  );
  // The simulated room hears the (real, loopback) packets through this: its PCs boot when woken.
  const waker = new Waker(config, (id) => void sim.activities.get(config.machines.find((m) => m.id === id)!.host)?.wake(id));
  const pcNames = new Map(config.machines.map((m) => [m.id, m.name]));
  const viewOf = (readings: readonly HostReading[]) =>
    buildMachinesView(
      config,
      readings,
      ofCurrentPcs(history.latestByMachine(pcNames.keys()), config.machines),
      history.lastOkByMachine(pcNames),
      orchestrator.progress(),
      Date.now(),
      { state: (id) => bootTracker.info(id), lastBoots: ofCurrentPcs(boots.latestByMachine(), config.machines), pending: boots.pending() },
      {
        projection: (id, disk) => sampler.projection(id, disk),
        blocked: (id, disk) =>
          (["autoextend-refused", "autoextend-max"] as const).find((kind) => eventLog.isOpen(conditionKey(kind, diskScope(id, disk)))) ?? null,
      },
      keeps.all(),
    );
  const watch = new RoomWatch({ config, room, bootTracker, sampler, events: eventLog, extender, history, view: viewOf });
  const imageRepo = new ImageRepo(db);
  const images = new ImageService(config, room, imageRepo);
  const schedule = new ScheduleRunner({
    config,
    room,
    bootTracker,
    keeps,
    orchestrator,
    history,
    boots,
    images,
    runs: new ScheduleRunRepo(db),
    imageAudit: (host) => (outcome, detail) =>
      audit.record({ actor: "schedule", actorKind: "system", address: null, action: "image.discard", target: host, outcome, detail }),
  });
  const scheduler = new Scheduler();
  let started: Promise<void> | undefined;
  let done = false;
  const start = async () => {
    await sim.ready;
    const interrupted = history.markInterrupted(Date.now());
    if (interrupted) log(`cowherd: marked ${interrupted} reset(s) left running by a previous process as interrupted`);
    if (imageRepo.markInterrupted(Date.now())) log("cowherd: marked image steps left running by a previous process as interrupted");
    // A PC's pending reset is its own: an id that now names another PC (or none) drops it.
    const changes = roomChanges(dataDir, config.machines);
    if (!changes.recorded) {
      // A data dir from before rooms were recorded: a pending mark whose PC's last reset or boot was
      // written under another name belongs to that other PC.
      const lastName = (id: number) => history.latestByMachine().get(id)?.machineName ?? boots.latestByMachine().get(id)?.machineName;
      for (const id of boots.pending().keys()) {
        const was = lastName(id);
        const now = config.machines.find((m) => m.id === id);
        if (was !== undefined && was !== now?.name) changes.changed.push({ id, was, now: now ? pcIdentity(now) : null });
      }
    }
    if (changes.changed.length) {
      const dropped = changes.changed.filter((c) => boots.clearPending(c.id));
      log(
        `cowherd: the room changed since this data dir was last used: ${changes.kept.length} PC(s) kept their history, ${changes.changed.length} id(s) now name another PC or none (${changes.changed
          .slice(0, 3)
          .map((c) => `${c.id}: ${c.was} → ${c.now ?? "gone"}`)
          .join(", ")}${changes.changed.length > 3 ? ", …" : ""})${dropped.length ? `; dropped their ${dropped.length} pending reset(s) at next boot` : ""}`,
      );
    }
    await ensureAdmin(users, env, log);
    audit.setRetentionDays(config.audit.retentionDays);
    sampler.compact();
    audit.deleteExpired();
    // Config changes take effect at start: record what this process runs with.
    audit.record({
      actor: null,
      actorKind: "system",
      address: null,
      action: "server.start",
      target: env.COWHERD_CONFIG ?? "demo config",
      outcome: "ok",
      detail: `${config.host === "sim" ? "simulated" : "real"} storage (${config.hosts.map((h) => `${h.name} via ${config.host === "sim" ? "sim" : h.transport}`).join(", ")}), ${config.machines.length} PCs, boot self-reset ${config.boot.enabled ? "on" : "off"}, legacy paths ${config.legacy.paths.join(" ")}, ${scheduleWords(config.schedule)}`,
    });
    scheduler.start([
      // Sessions come and go whether anyone watches: the room is read on its own, so boots are seen.
      // Boots, usage samples, events and auto-extend all come from this one look (lib/events/room-watch.ts).
      { name: "room-watch", everyMs: 2_000, run: async () => void (await watch.tick()) },
      { name: "alerts-send", everyMs: 1_000, run: () => notifier.pump() },
      { name: "usage-compact", everyMs: 3_600_000, run: () => void sampler.compact() },
      { name: "events-prune", everyMs: 6 * 3_600_000, run: () => void events.prune(Date.now() - config.alerts.keepDays * 86_400_000) },
      { name: "boots-prune", everyMs: 6 * 3_600_000, run: () => void boots.prune(Date.now() - config.ipxe.keepDays * 86_400_000) },
      ...sim.jobs,
      { name: "session-prune", everyMs: 10 * 60_000, run: () => void sessions.prune() },
      { name: "login-limiter-prune", everyMs: 10 * 60_000, run: () => limiter.prune() },
      { name: "known-logins-prune", everyMs: 6 * 3_600_000, run: () => void knownLogins.prune() },
      { name: "audit-flush", everyMs: 10_000, run: () => audit.flush() },
      { name: "audit-retention", everyMs: 3_600_000, run: () => void audit.deleteExpired() },
      { name: "schedule", everyMs: SCHEDULE_TICK_MS, run: () => schedule.tick() },
    ]);
  };
  const startOnce = () => (started ??= start().then(() => void (done = true)));
  if (!opts.deferStart) await startOnce();
  return (self = {
    config,
    dataDir,
    db,
    room,
    boots,
    keeps,
    bootTracker,
    history,
    orchestrator,
    users,
    sessions,
    scheduler,
    audit,
    tokens,
    limiter,
    knownLogins,
    usage,
    sampler,
    events,
    eventLog,
    alertTargets,
    notifier,
    extender,
    waker,
    watch,
    images,
    schedule,
    activities: sim.activities,
    async machinesView() {
      return viewOf(await room.read());
    },
    start: startOnce,
    isStarted: () => done,
    close() {
      scheduler.stop();
      if (started) audit.flush(true);
      room.close();
      db.close();
    },
  });
}

let current: Promise<Runtime> | undefined;

/**
 * The process-wide runtime, created on first use. A plain module variable is enough: the HTTP front
 * and Next's routes load this module once, through @cowherd/core (lib/core.ts).
 */
export function runtime(): Promise<Runtime> {
  current ??= createRuntime();
  return current;
}

/** Tests: make routes use a runtime made for the test. */
export function setRuntime(r: Promise<Runtime>): void {
  current = r;
}
