import path from "node:path";
import type { Env } from "../config/env";
import { ConfigError } from "../config/load";
import type { Config } from "../config/schema";
import { AgentConnection, processSpawner } from "./agent/agent-connection";
import { AgentHost } from "./agent/agent-host";
import { agentCommand } from "./agent/transport";
import { SimHost, parseFaultSpec } from "./sim/sim-host";
import type { SimMachineState } from "./sim/sim-state";
import type { Host } from "./types";

export function createSimHost(config: Config, name: string, dataDir: string, env: Env, log?: (line: string) => void): SimHost {
  // The first host keeps the file name it had before there were several hosts.
  const file = name === config.hosts[0]!.name ? "sim-state.json" : `sim-state-${name}.json`;
  const sim = new SimHost(
    name,
    config.machines.filter((m) => m.host === name),
    {
      stateFile: path.join(dataDir, file),
      stepMs: env.COWHERD_SIM_STEP_MS ? Number(env.COWHERD_SIM_STEP_MS) : 150,
      scenario: env.COWHERD_SIM_SCENARIO === "fresh" ? "fresh" : "demo",
      reserveMiB: config.storage.reserveMiB,
      ...(env.COWHERD_SIM_STORE_MIB ? { storeMiB: Number(env.COWHERD_SIM_STORE_MIB) } : {}),
      keepVersions: config.storage.keepVersions,
      iqnPrefix: config.storage.iqnPrefix,
      ...(log ? { log } : {}),
    },
  );
  // COWHERD_SIM_INIT: per-PC starting conditions for a new data dir, e.g. {"3":{"health":"invalid"}}.
  if (sim.fresh && env.COWHERD_SIM_INIT) {
    let init: Record<string, Partial<SimMachineState> & { fraction?: number }>;
    try {
      init = JSON.parse(env.COWHERD_SIM_INIT) as typeof init;
    } catch (e) {
      throw new ConfigError(`COWHERD_SIM_INIT is not valid JSON: ${(e as Error).message}`);
    }
    for (const [id, patch] of Object.entries(init)) if (sim.has(Number(id))) sim.setMachine(Number(id), patch);
  }
  for (const f of parseFaultSpec(env.COWHERD_SIM_FAIL)) if (sim.has(f.id)) sim.injectFault(f.id, f.step, f.times);
  // COWHERD_SIM_DOWN=<host>[,<host>]: those simulated hosts do not answer (demo of a host outage).
  if ((env.COWHERD_SIM_DOWN ?? "").split(",").includes(name)) sim.setDown("simulated outage (COWHERD_SIM_DOWN)");
  return sim;
}

/** One Host per configured storage host: simulators, or agents reached through sudo or ssh. */
export function createHosts(config: Config, dataDir: string, env: Env, log: (line: string) => void): Host[] {
  return config.hosts.map((h) => {
    if (config.host === "sim") return createSimHost(config, h.name, dataDir, env, log);
    const machines = config.machines.filter((m) => m.host === h.name).map((m) => m.id);
    const conn = new AgentConnection(h.name, processSpawner(agentCommand(config, h)), { machines, log });
    conn.start();
    return new AgentHost(conn, config.helper.timeoutMs);
  });
}
