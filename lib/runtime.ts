import type { Env } from "./config/env";
import path from "node:path";
import type Database from "better-sqlite3";
import { loadConfig } from "./config/load";
import type { Config } from "./config/schema";
import { openDatabase } from "./db/open";
import { HistoryRepo } from "./db/history";
import { createHost } from "./host/create-host";
import type { Host } from "./host/types";
import { SimHost } from "./host/sim/sim-host";
import { ResetOrchestrator } from "./reset/orchestrator";
import { StatusService } from "./status/status-service";
import { buildMachinesView, type MachinesView } from "./status/machines-view";
import { SessionRepo } from "./auth/sessions";
import { UserRepo, ensureAdmin } from "./auth/users";
import { Scheduler } from "./scheduler";
import { AuditRepo } from "./db/audit";
import { TokenRepo } from "./auth/tokens";
import { LoginLimiter } from "./auth/login-limiter";

export interface Runtime {
  config: Config;
  dataDir: string;
  db: Database.Database;
  host: Host;
  status: StatusService;
  history: HistoryRepo;
  orchestrator: ResetOrchestrator;
  users: UserRepo;
  sessions: SessionRepo;
  scheduler: Scheduler;
  audit: AuditRepo;
  tokens: TokenRepo;
  limiter: LoginLimiter;
  machinesView(): Promise<MachinesView>;
  close(): void;
}

export async function createRuntime(env: Env = process.env, log: (line: string) => void = console.log): Promise<Runtime> {
  const config = loadConfig(env);
  const dataDir = path.resolve(/*turbopackIgnore: true*/ env.COWHERD_DATA_DIR ?? "data");
  const db = openDatabase(path.join(/*turbopackIgnore: true*/ dataDir, "cowherd.sqlite"));
  const history = new HistoryRepo(db);
  const interrupted = history.markInterrupted(Date.now());
  if (interrupted) log(`cowherd: marked ${interrupted} reset(s) left running by a previous process as interrupted`);
  const host = createHost(config, dataDir, env);
  const status = new StatusService(host, config.statusCacheMs);
  const orchestrator = new ResetOrchestrator(config, host, history, status);
  const users = new UserRepo(db);
  const sessions = new SessionRepo(db, {
    idleMs: config.session.idleMinutes * 60_000,
    absoluteMs: config.session.absoluteHours * 3_600_000,
  });
  await ensureAdmin(users, env, log);
  const audit = new AuditRepo(db);
  // Config changes take effect at start: record what this process runs with.
  audit.record({
    actor: null,
    actorKind: "system",
    address: null,
    action: "server.start",
    target: env.COWHERD_CONFIG ?? "demo config",
    outcome: "ok",
    detail: `${config.host} host, ${config.machines.length} PCs, boot self-reset ${config.boot.enabled ? "on" : "off"}, legacy paths ${config.legacy.paths.join(" ")}`,
  });
  const tokens = new TokenRepo(db);
  const limiter = new LoginLimiter({
    free: config.login.freeAttempts,
    maxDelayMs: config.login.maxDelaySeconds * 1000,
    windowMs: config.login.windowMinutes * 60_000,
  });
  const scheduler = new Scheduler();
  scheduler.start([
    { name: "sim-persist", everyMs: 5_000, run: () => (host instanceof SimHost ? host.persist() : undefined) },
    { name: "session-prune", everyMs: 10 * 60_000, run: () => void sessions.prune() },
    { name: "login-limiter-prune", everyMs: 10 * 60_000, run: () => limiter.prune() },
  ]);
  return {
    config,
    dataDir,
    db,
    host,
    status,
    history,
    orchestrator,
    users,
    sessions,
    scheduler,
    audit,
    tokens,
    limiter,
    async machinesView() {
      const s = await status.get();
      return buildMachinesView(config, s, history.latestByMachine(), history.lastOkByMachine(), orchestrator.progress());
    },
    close() {
      scheduler.stop();
      if (host instanceof SimHost) host.persist();
      db.close();
    },
  };
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
