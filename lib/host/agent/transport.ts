import type { Config, StorageHostConfig } from "../../config/schema";

export interface AgentCommand {
  file: string;
  args: string[];
}

/**
 * How the web app starts a host's agent: the local helper through `sudo -n` (never waits for a
 * password), a remote one through OpenSSH in batch mode with strict host keys, the key and known
 * hosts file from config. Only fixed config words cross either boundary.
 */
export function agentCommand(config: Config, host: StorageHostConfig): AgentCommand {
  if (host.transport === "local") return { file: config.helper.sudo, args: ["-n", config.helper.path, "serve"] };
  const ssh = host.ssh!;
  return {
    file: config.helper.ssh,
    args: [
      "-T",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      `UserKnownHostsFile=${ssh.knownHostsFile}`,
      "-o",
      "GlobalKnownHostsFile=/dev/null",
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      `ConnectTimeout=${ssh.connectTimeoutSeconds}`,
      "-o",
      "ServerAliveInterval=15",
      "-o",
      "ServerAliveCountMax=3",
      "-o",
      "ClearAllForwardings=yes",
      "-F",
      "/dev/null",
      "-i",
      ssh.identityFile,
      "-p",
      String(ssh.port),
      "-l",
      ssh.user,
      "--",
      ssh.host,
      ...ssh.command,
    ],
  };
}
