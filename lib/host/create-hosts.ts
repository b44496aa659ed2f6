import type { Env } from "../config/env";
import type { Config } from "../config/schema";
import { AgentConnection, processSpawner } from "./agent/agent-connection";
import { AgentHost } from "./agent/agent-host";
import { agentCommand } from "./agent/transport";
import { createSimHost } from "./sim/demo-room";
import type { Host } from "./types";

/**
 * One Host per configured storage host, each an agent: a real one reached through sudo or ssh, or
 * (host "sim") the helper's own code over a simulated kernel, in-process.
 */
export function createHosts(config: Config, dataDir: string, env: Env, log: (line: string) => void): Host[] {
  return config.hosts.map((h) => {
    if (config.host === "sim") return createSimHost(config, h.name, dataDir, env, log);
    const machines = config.machines.filter((m) => m.host === h.name).map((m) => m.id);
    const conn = new AgentConnection(h.name, processSpawner(agentCommand(config, h)), { machines, log });
    conn.start();
    return new AgentHost(conn, config.helper.timeoutMs);
  });
}
