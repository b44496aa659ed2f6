import type { Env } from "../config/env";
import path from "node:path";
import type { Config } from "../config/schema";
import type { Host } from "./types";
import { SimHost, parseFaultSpec } from "./sim/sim-host";
import type { SimMachineState } from "./sim/sim-state";
import { RealHost } from "./real-host";

export function createSimHost(config: Config, dataDir: string, env: Env): SimHost {
  const sim = new SimHost(config.machines, {
    stateFile: path.join(dataDir, "sim-state.json"),
    activity: env.COWHERD_SIM_ACTIVITY !== "0",
    stepMs: env.COWHERD_SIM_STEP_MS ? Number(env.COWHERD_SIM_STEP_MS) : 150,
    scenario: env.COWHERD_SIM_SCENARIO === "fresh" ? "fresh" : "demo",
  });
  // COWHERD_SIM_INIT: per-PC starting conditions for a new data dir, e.g. {"3":{"health":"invalid"}}.
  if (sim.fresh && env.COWHERD_SIM_INIT) {
    const init = JSON.parse(env.COWHERD_SIM_INIT) as Record<string, Partial<SimMachineState> & { fraction?: number }>;
    for (const [id, patch] of Object.entries(init)) sim.setMachine(Number(id), patch);
  }
  for (const f of parseFaultSpec(env.COWHERD_SIM_FAIL)) sim.injectFault(f.id, f.step, f.times);
  return sim;
}

export function createHost(config: Config, dataDir: string, env: Env): Host {
  return config.host === "real" ? new RealHost(config) : createSimHost(config, dataDir, env);
}
