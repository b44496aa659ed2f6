/**
 * The helper's whole input surface: a verb from an allow-list and machine ids that are plain
 * decimals present in its own config. Anything else is refused before any command runs.
 */
import { MACHINE_ID_MAX, MACHINE_ID_PATTERN } from "../lib/constants";
import type { DiskKind } from "../lib/config/schema";
import { IMAGE_VERBS } from "../lib/host/protocol";

export const VERBS = ["status", "reset", "up", "down", "grow", "repair", "version", "serve", ...IMAGE_VERBS] as const;
export type Verb = (typeof VERBS)[number];

export type Parsed =
  | { verb: "status" }
  | { verb: "version" }
  | { verb: "repair" }
  | { verb: "serve" }
  | { verb: "reset"; ids: number[]; force: boolean; disk?: DiskKind }
  | { verb: "down"; ids: number[] }
  | { verb: "up"; ids: number[] | "all" }
  | { verb: "grow"; id: number; mib: number; expectSectors?: number; disk?: "game" }
  | { verb: "images" | "image-publish" | "image-discard"; group?: string; disk?: "game" }
  | { verb: "image-update"; id: number; disk?: "game" }
  | { verb: "image-current" | "image-delete"; n: number; group?: string; disk?: "game" };

/** What of the helper's config says who has a game disk: its PCs' ids and its groups' names. */
export interface GameDisks {
  pcs: ReadonlySet<number>;
  groups: ReadonlySet<string>;
}

const NO_GAME_DISKS: GameDisks = { pcs: new Set(), groups: new Set() };

/** Who has a game disk in this config. */
export const gameDisksOf = (config: {
  machines: readonly { id: number; game?: unknown }[];
  groups: readonly { name: string; game?: unknown }[];
}): GameDisks => ({
  pcs: new Set(config.machines.filter((m) => m.game).map((m) => m.id)),
  groups: new Set(config.groups.filter((g) => g.game).map((g) => g.name)),
});

export class UsageError extends Error {
  override name = "UsageError";
}

const ID = MACHINE_ID_PATTERN;
const MIB = /^[1-9][0-9]{0,6}$/;
/** Image version numbers: plain decimals. */
const VERSION = /^[1-9][0-9]{0,5}$/;
/** A COW's size in 512-byte sectors, as status shows it (up to 2^40 sectors). */
const SECTORS = /^[1-9][0-9]{0,12}$/;
const MAX_ARGS = 1000;
/** The image verbs that act on a group's versions as a whole (image-update finds the group from its PC). */
const GROUP_VERBS: ReadonlySet<string> = new Set(["images", "image-publish", "image-discard", "image-current", "image-delete"]);
/** The verbs that end with `--disk game` (after `--group <g>`): the game disk's COW or versions. */
const DISK_VERBS: ReadonlySet<string> = new Set([...GROUP_VERBS, "image-update", "grow"]);
const DISKS: readonly string[] = ["system", "game"] satisfies DiskKind[];

export const USAGE = `usage: cowherd-helper status | reset [--force] [--disk system|game] <id>... | up [<id>...] | down <id>... | grow <id> <MiB> [--expect-sectors <n>] [--disk game] | repair | version | serve | images [--group <g>] [--disk game] | image-update <id> [--disk game] | image-publish [--group <g>] [--disk game] | image-discard [--group <g>] [--disk game] | image-current <n> [--group <g>] [--disk game] | image-delete <n> [--group <g>] [--disk game]`;

const diskArg = (value: string): DiskKind => {
  if (!DISKS.includes(value)) throw new UsageError(`--disk takes system or game, not ${JSON.stringify(value.slice(0, 40))}`);
  return value as DiskKind;
};

/**
 * `knownGroups`: the group names in the helper's own config. An image verb other than image-update
 * (which finds its group from its PC) may end with `--group <name>`, a name from that list only;
 * without it, the first group (a room without groups has only it). `--disk game` (last) names the
 * game disk of that group (or of image-update's PC, or grow's): refused for a group or PC without
 * one (`games`). reset takes `--disk system|game` before its ids.
 */
export function parseHelperArgs(
  argv: readonly string[],
  knownIds: ReadonlySet<number>,
  knownGroups: ReadonlySet<string> = new Set(),
  games: GameDisks = NO_GAME_DISKS,
): Parsed {
  if (argv.length === 0) throw new UsageError(USAGE);
  if (argv.length > MAX_ARGS) throw new UsageError(`too many arguments (max ${MAX_ARGS})`);
  const [verb, ...args] = argv as [string, ...string[]];
  // reset's options come first and once each, in this order: `reset --force --disk game 1 2`.
  const force = verb === "reset" && args[0] === "--force";
  let rest = force ? args.slice(1) : args;
  let disk: { disk: DiskKind } | object = {};
  if (verb === "reset" && rest[0] === "--disk") {
    disk = { disk: diskArg(rest[1] ?? "") };
    rest = rest.slice(2);
  }
  // The other verbs' disk comes last: `image-publish --group retro --disk game`.
  if (DISK_VERBS.has(verb) && rest.length >= 2 && rest.at(-2) === "--disk") {
    const d = diskArg(rest.at(-1)!);
    disk = d === "game" ? { disk: d } : {};
    rest = rest.slice(0, -2);
  }
  const wantsGame = "disk" in disk && disk.disk === "game";
  /** The PCs asked for their game disk must have one. */
  const gameOf = (ids: number[]) => {
    const without = wantsGame ? ids.filter((id) => !games.pcs.has(id)) : [];
    if (without.length)
      throw new UsageError(
        `${without.length === 1 ? "PC" : "PCs"} ${without.join(", ")} ${without.length === 1 ? "has" : "have"} no game disk (${without.length === 1 ? "its group has" : "their groups have"} none)`,
      );
    return ids;
  };
  let group: { group: string } | object = {};
  if (GROUP_VERBS.has(verb) && rest.length >= 2 && rest.at(-2) === "--group") {
    const name = rest.at(-1)!;
    if (!knownGroups.has(name)) throw new UsageError(`no group ${JSON.stringify(name.slice(0, 40))} in the helper's config`);
    group = { group: name };
    rest = rest.slice(0, -2);
  }
  /** The group of an image verb, checked to have a game disk when that is asked for (default: the first group). */
  const groupGame = () => {
    const name = "group" in group ? group.group : [...knownGroups][0];
    if (wantsGame && (name === undefined || !games.groups.has(name)))
      throw new UsageError(
        `group ${JSON.stringify(name ?? "default")} has no game disk${games.groups.size ? ` (groups with one: ${[...games.groups].join(", ")})` : ""}`,
      );
    return group;
  };
  if (!(VERBS as readonly string[]).includes(verb)) throw new UsageError(`unknown verb ${JSON.stringify(verb.slice(0, 40))}; ${USAGE}`);
  const ids = () => {
    const out: number[] = [];
    for (const a of rest) {
      if (!ID.test(a)) throw new UsageError(`invalid machine id ${JSON.stringify(a.slice(0, 40))}: want a plain integer 1-${MACHINE_ID_MAX}`);
      const id = Number(a);
      if (!knownIds.has(id)) throw new UsageError(`no machine ${id} in the helper's config`);
      if (!out.includes(id)) out.push(id);
    }
    return out;
  };
  switch (verb as Verb) {
    case "status":
    case "version":
    case "repair":
    case "serve":
    case "images":
    case "image-publish":
    case "image-discard":
      if (rest.length) throw new UsageError(`${verb} takes no arguments${GROUP_VERBS.has(verb) ? " but --group <name> and --disk game" : ""}`);
      return { verb, ...groupGame(), ...disk } as Parsed;
    case "reset":
    case "down": {
      const list = ids();
      if (!list.length) throw new UsageError(`${verb} needs at least one machine id`);
      return verb === "reset" ? { verb, ids: gameOf(list), force, ...disk } : { verb: "down", ids: list };
    }
    case "up":
      return { verb: "up", ids: rest.length ? ids() : "all" };
    case "grow": {
      if (rest.length !== 2 && rest.length !== 4) throw new UsageError("grow needs <id> <MiB> [--expect-sectors <n>] [--disk game]");
      const [idArg, mibArg, opt, sectorsArg] = rest as [string, string, string?, string?];
      if (opt !== undefined && (opt !== "--expect-sectors" || !SECTORS.test(sectorsArg ?? "")))
        throw new UsageError("grow's option is --expect-sectors <n>: the COW's current size in sectors, as a plain integer");
      if (!ID.test(idArg)) throw new UsageError(`invalid machine id ${JSON.stringify(idArg.slice(0, 40))}`);
      if (!MIB.test(mibArg)) throw new UsageError(`invalid size ${JSON.stringify(mibArg.slice(0, 40))}: want MiB as a plain integer`);
      const id = Number(idArg);
      if (!knownIds.has(id)) throw new UsageError(`no machine ${id} in the helper's config`);
      gameOf([id]);
      return { verb: "grow", id, mib: Number(mibArg), ...(sectorsArg !== undefined ? { expectSectors: Number(sectorsArg) } : {}), ...disk } as Parsed;
    }
    case "image-update": {
      const list = ids();
      if (list.length !== 1 || rest.length !== 1) throw new UsageError("image-update needs one machine id: the PC that boots the update");
      return { verb: "image-update", id: gameOf(list)[0]!, ...disk } as Parsed;
    }
    case "image-current":
    case "image-delete": {
      if (rest.length !== 1 || !VERSION.test(rest[0]!)) throw new UsageError(`${verb} needs a version number (a plain integer)`);
      return { verb: verb as "image-current" | "image-delete", n: Number(rest[0]), ...groupGame(), ...disk } as Parsed;
    }
  }
}
