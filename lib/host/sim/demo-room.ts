import path from "node:path";
import type { Env } from "../../config/env";
import { ConfigError } from "../../config/load";
import type { Config, Machine } from "../../config/schema";
import type { ScheduledTask } from "../../scheduler";
import type { Host } from "../types";
import { SimActivity } from "./activity";
import { DemoHost, GAME_MASTER_MIB, MASTER_MIB, PC_CONDITIONS, type PcCondition } from "./demo-host";
import { parseFaultSpec } from "./sim-faults";

/** COWHERD_SIM_INIT: per-PC starting conditions, checked (a typo would be a demo that shows nothing). */
function parseInit(text: string | undefined, known: ReadonlySet<number>): Record<string, PcCondition> | undefined {
  if (!text) return undefined;
  let init: unknown;
  try {
    init = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`COWHERD_SIM_INIT is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof init !== "object" || init === null || Array.isArray(init))
    throw new ConfigError('COWHERD_SIM_INIT: want an object of PC id → condition, e.g. {"3":{"health":"invalid"}}');
  for (const [id, c] of Object.entries(init)) {
    const bad = Object.keys(c as object).filter((k) => !(PC_CONDITIONS as readonly string[]).includes(k));
    if (bad.length) throw new ConfigError(`COWHERD_SIM_INIT: PC ${id}: no condition ${bad.join(", ")} (the conditions: ${PC_CONDITIONS.join(", ")})`);
    if (!/^\d+$/.test(id) || !known.has(Number(id))) throw new ConfigError(`COWHERD_SIM_INIT: there is no PC ${id} in the room`);
    const x = c as Record<string, unknown>;
    const want = (ok: boolean, key: string, what: string) => {
      if (x[key] !== undefined && !ok) throw new ConfigError(`COWHERD_SIM_INIT: PC ${id}: ${key} must be ${what}, not ${JSON.stringify(x[key])}`);
    };
    want(typeof x.fraction === "number" && x.fraction >= 0 && x.fraction <= 1, "fraction", "a number from 0 to 1");
    want(["ok", "invalid", "overflow"].includes(x.health as string), "health", '"ok", "invalid" or "overflow"');
    for (const k of ["online", "device", "wol", "suspended", "exported"]) want(typeof x[k] === "boolean", k, "true or false");
    want(["snapshot", "error"].includes(x.table as string), "table", '"snapshot" or "error"');
  }
  return init as Record<string, PcCondition>;
}

/** One simulated storage host: the helper over a simulated kernel, with the COWHERD_SIM_* knobs. */
export function createSimHost(config: Config, name: string, dataDir: string, env: Env, log?: (line: string) => void): DemoHost {
  // The first host keeps the file name it had before there were several hosts.
  const file = name === config.hosts[0]!.name ? "sim-state.json" : `sim-state-${name}.json`;
  const faults = parseFaultSpec(env.COWHERD_SIM_FAIL, new Set(config.machines.map((m) => m.id)));
  const init = parseInit(env.COWHERD_SIM_INIT, new Set(config.machines.map((m) => m.id)));
  const storeMiB = env.COWHERD_SIM_STORE_MIB ? Number(env.COWHERD_SIM_STORE_MIB) : undefined;
  if (storeMiB !== undefined) {
    if (!Number.isSafeInteger(storeMiB) || storeMiB <= 0)
      throw new ConfigError(`COWHERD_SIM_STORE_MIB must be a whole number of MiB, not "${env.COWHERD_SIM_STORE_MIB}"`);
    // The room must fit: each group's master (every host has them all), every COW at its size, and the reserve no COW may grow into.
    const pcs = config.machines.filter((m) => m.host === name);
    const masters = config.groups.length;
    const games = config.groups.filter((g) => g.game).length * GAME_MASTER_MIB;
    const need = masters * MASTER_MIB + games + pcs.reduce((n, m) => n + m.cowSizeMiB + (m.game?.cowSizeMiB ?? 0), 0) + config.storage.reserveMiB;
    if (storeMiB < need) {
      throw new ConfigError(
        `COWHERD_SIM_STORE_MIB=${storeMiB} is too small for ${name}'s room: it needs at least ${need} MiB (${masters === 1 ? "the" : `${masters} groups' masters of`} ${MASTER_MIB} MiB${masters === 1 ? " master" : ""}${games ? `, ${games} MiB of game disk masters` : ""}, ${pcs.length} COWs${games ? " and their game COWs" : ""}, the ${config.storage.reserveMiB} MiB reserve)`,
      );
    }
  }
  // A host name the room does not have would be an outage demo that shows nothing.
  const down = (env.COWHERD_SIM_DOWN ?? "").split(",").filter(Boolean);
  const unknown = down.filter((d) => !config.hosts.some((h) => h.name === d));
  if (unknown.length)
    throw new ConfigError(`COWHERD_SIM_DOWN: there is no storage host ${unknown.join(", ")} (the hosts: ${config.hosts.map((h) => h.name).join(", ")})`);
  const host = new DemoHost(config, name, {
    stateFile: path.join(dataDir, file),
    stepMs: env.COWHERD_SIM_STEP_MS ? Number(env.COWHERD_SIM_STEP_MS) : 150,
    scenario: env.COWHERD_SIM_SCENARIO === "fresh" ? "fresh" : "demo",
    ...(storeMiB !== undefined ? { storeMiB } : {}),
    ...(init ? { init } : {}),
    // COWHERD_SIM_DOWN=<host>[,<host>]: those simulated hosts do not answer (demo of a host outage).
    down: down.includes(name) ? "simulated outage (COWHERD_SIM_DOWN)" : null,
    ...(log ? { log } : {}),
  });
  for (const f of faults) if (host.has(f.id)) host.injectFault(f.id, f.step, f.times);
  return host;
}

/** What the runtime needs of the simulator: the simulated PCs, their jobs, and when the room is there. */
export interface SimRoom {
  /** The simulated PCs of each simulated storage host (none on real hosts). */
  activities: ReadonlyMap<string, SimActivity>;
  /** Scheduled work: the PCs' day, and saving the rooms (none on real hosts). */
  jobs: ScheduledTask[];
  /** Resolves once every simulated room is built or loaded. */
  ready: Promise<void>;
}

/**
 * The simulator's part of a runtime: for each simulated storage host its PCs, which boot through
 * `fetchBootScript` (the route a PC's iPXE reaches, lib/boot/handlers.ts). Real hosts have real PCs.
 */
export function simRoom(config: Config, hosts: readonly Host[], env: Env, fetchBootScript: (m: Machine) => Promise<unknown>): SimRoom {
  const sims = hosts.filter((h): h is DemoHost => h instanceof DemoHost);
  const byId = new Map(config.machines.map((m) => [m.id, m]));
  const activities = new Map(
    sims.map((h) => [
      h.name,
      new SimActivity(
        h,
        config.machines.filter((m) => m.host === h.name),
        {
          lively: env.COWHERD_SIM_ACTIVITY !== "0",
          fetchBootScript: (id) => fetchBootScript(byId.get(id)!),
          troubled: 7,
          ...(env.COWHERD_SIM_BOOT_MS ? { bootMs: Number(env.COWHERD_SIM_BOOT_MS) } : {}),
          ...(env.COWHERD_SIM_SPEED ? { speed: Number(env.COWHERD_SIM_SPEED) } : {}),
        },
      ),
    ]),
  );
  return {
    activities,
    jobs: sims.length
      ? [
          { name: "sim-activity", everyMs: 1_000, run: () => activities.forEach((a) => a.tick(Date.now())) },
          { name: "sim-persist", everyMs: 5_000, run: () => sims.forEach((h) => h.persist()) },
        ]
      : [],
    ready: Promise.all(sims.map((h) => h.ready)).then(() => undefined),
  };
}
