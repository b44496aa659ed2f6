import type { Env } from "./env";
import { readFileSync } from "node:fs";
import path from "node:path";
import { configSchema, gameDmName, type Config, type GameDiskOfPc, type RawConfig } from "./schema";
import { demoConfig } from "./demo";
import { jsonErrorPlace } from "./json-error";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Formats zod issues as "key.path: message" lines so a bad config names its key. */
function formatIssues(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .map((i) => {
      const where = i.path.length ? i.path.map(String).join(".") : "(root)";
      return `  ${where}: ${/received undefined/.test(i.message) ? "missing: this key is required" : i.message}`;
    })
    .join("\n");
}

/** Without `groups`, every PC is in this one, whose master is storage.master. */
export const DEFAULT_GROUP = "default";

export function resolveConfig(raw: RawConfig): Config {
  const groupsIn = raw.groups ?? [{ name: DEFAULT_GROUP, label: "All PCs" }];
  const groups = groupsIn.map((g) => {
    const master = g.master ?? raw.storage.master;
    return {
      name: g.name,
      label: g.label ?? g.name,
      master,
      imageDir: g.imageDir ?? (master === raw.storage.master ? raw.storage.imageDir : undefined) ?? path.posix.dirname(master),
      keepVersions: g.keepVersions ?? raw.storage.keepVersions,
      ...("gameDisk" in g && g.gameDisk
        ? {
            game: {
              master: g.gameDisk.master,
              imageDir: g.gameDisk.imageDir ?? path.posix.dirname(g.gameDisk.master),
              keepVersions: g.gameDisk.keepVersions ?? g.keepVersions ?? raw.storage.keepVersions,
            },
          }
        : {}),
    };
  });
  const gameOf = new Map(groupsIn.map((g) => [g.name, ("gameDisk" in g ? g.gameDisk : undefined) ?? undefined]));
  const defaultsOf = new Map(groupsIn.map((g) => [g.name, ("defaults" in g ? g.defaults : undefined) ?? {}]));
  const { groups: _given, ...rest } = raw;
  return {
    ...rest,
    groups,
    machines: raw.machines.map((m) => {
      const group = m.group ?? groups[0]!.name;
      const g = defaultsOf.get(group) ?? {};
      const cowSizeMiB = m.cowSizeMiB ?? g.cowSizeMiB ?? raw.defaults.cowSizeMiB;
      const cowPath = m.cowPath ?? path.posix.join(raw.storage.cowDir, `${m.dmName}.cow`);
      const gd = gameOf.get(group);
      const gameCow = gd?.cowSizeMiB ?? g.cowSizeMiB ?? raw.defaults.cowSizeMiB;
      const game: GameDiskOfPc | undefined = gd && {
        dmName: gameDmName(m.dmName),
        cowPath: path.posix.join(path.posix.dirname(cowPath), `${gameDmName(m.dmName)}.cow`),
        cowSizeMiB: gameCow,
        maxCowSizeMiB: gd.maxCowSizeMiB ?? g.maxCowSizeMiB ?? raw.defaults.maxCowSizeMiB ?? 4 * gameCow,
        chunkSectors: gd.chunkSectors ?? g.chunkSectors ?? raw.defaults.chunkSectors,
        mode: gd.mode ?? g.mode ?? raw.defaults.mode,
      };
      return {
        ...m,
        cowSizeMiB,
        maxCowSizeMiB: m.maxCowSizeMiB ?? g.maxCowSizeMiB ?? raw.defaults.maxCowSizeMiB ?? 4 * cowSizeMiB,
        warnPercent: m.warnPercent ?? g.warnPercent ?? raw.warnPercent,
        dangerPercent: m.dangerPercent ?? g.dangerPercent ?? raw.dangerPercent,
        chunkSectors: m.chunkSectors ?? g.chunkSectors ?? raw.defaults.chunkSectors,
        mode: m.mode ?? g.mode ?? raw.defaults.mode,
        cowPath,
        iqn: m.iqn ?? `${raw.storage.iqnPrefix}:${m.dmName}`,
        host: m.host ?? raw.hosts[0]!.name,
        group,
        ...(game ? { game } : {}),
      };
    }),
  };
}

export function parseConfig(input: unknown, source = "config"): Config {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(`Invalid ${source}:\n${formatIssues(parsed.error.issues)}`);
  return resolveConfig(parsed.data);
}

export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(`Cannot read config ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`Config ${file} is not valid JSON at ${jsonErrorPlace(text)}: ${(e as Error).message.split("\n")[0]}`);
  }
  return parseConfig(json, `config ${file}`);
}

/** COWHERD_CONFIG names the JSON file; without it the built-in demo LAN is used. */
export function loadConfig(env: Env = process.env): Config {
  if (env.COWHERD_CONFIG) return loadConfigFile(env.COWHERD_CONFIG);
  const game = env.COWHERD_SIM_GAMEDISK;
  if (game !== undefined && game !== "0" && game !== "1")
    throw new ConfigError(`COWHERD_SIM_GAMEDISK must be 1 (the demo's Retro PCs have a game disk, the default) or 0 (none), not "${game.slice(0, 20)}"`);
  // The demo room shows its game disk unless told 0.
  return parseConfig(demoConfig({ COWHERD_SIM_GAMEDISK: "1", ...env }), "demo config");
}
