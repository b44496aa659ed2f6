/**
 * The helper's whole input surface: a verb from an allow-list and machine ids that are plain
 * decimals present in its own config. Anything else is refused before any command runs.
 */
import { MACHINE_ID_MAX, MACHINE_ID_PATTERN } from "../lib/constants";
import { IMAGE_VERBS } from "../lib/host/protocol";

export const VERBS = ["status", "reset", "up", "down", "grow", "repair", "version", "serve", ...IMAGE_VERBS] as const;
export type Verb = (typeof VERBS)[number];

export type Parsed =
  | { verb: "status" }
  | { verb: "version" }
  | { verb: "repair" }
  | { verb: "serve" }
  | { verb: "reset"; ids: number[]; force: boolean }
  | { verb: "down"; ids: number[] }
  | { verb: "up"; ids: number[] | "all" }
  | { verb: "grow"; id: number; mib: number; expectSectors?: number }
  | { verb: "images" | "image-publish" | "image-discard"; group?: string }
  | { verb: "image-update"; id: number }
  | { verb: "image-current" | "image-delete"; n: number; group?: string };

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

export const USAGE = `usage: cowherd-helper status | reset [--force] <id>... | up [<id>...] | down <id>... | grow <id> <MiB> [--expect-sectors <n>] | repair | version | serve | images [--group <g>] | image-update <id> | image-publish [--group <g>] | image-discard [--group <g>] | image-current <n> [--group <g>] | image-delete <n> [--group <g>]`;

/**
 * `knownGroups`: the group names in the helper's own config. An image verb other than image-update
 * (which finds its group from its PC) may end with `--group <name>`, a name from that list only;
 * without it, the first group (a room without groups has only it).
 */
export function parseHelperArgs(argv: readonly string[], knownIds: ReadonlySet<number>, knownGroups: ReadonlySet<string> = new Set()): Parsed {
  if (argv.length === 0) throw new UsageError(USAGE);
  if (argv.length > MAX_ARGS) throw new UsageError(`too many arguments (max ${MAX_ARGS})`);
  const [verb, ...args] = argv as [string, ...string[]];
  // reset's one option comes first and once: `reset --force 1 2`.
  const force = verb === "reset" && args[0] === "--force";
  let rest = force ? args.slice(1) : args;
  let group: { group: string } | object = {};
  if (GROUP_VERBS.has(verb) && rest.length >= 2 && rest.at(-2) === "--group") {
    const name = rest.at(-1)!;
    if (!knownGroups.has(name)) throw new UsageError(`no group ${JSON.stringify(name.slice(0, 40))} in the helper's config`);
    group = { group: name };
    rest = rest.slice(0, -2);
  }
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
      if (rest.length) throw new UsageError(`${verb} takes no arguments${GROUP_VERBS.has(verb) ? " but --group <name>" : ""}`);
      return { verb, ...group } as Parsed;
    case "reset":
    case "down": {
      const list = ids();
      if (!list.length) throw new UsageError(`${verb} needs at least one machine id`);
      return verb === "reset" ? { verb, ids: list, force } : { verb: "down", ids: list };
    }
    case "up":
      return { verb: "up", ids: rest.length ? ids() : "all" };
    case "grow": {
      if (rest.length !== 2 && rest.length !== 4) throw new UsageError("grow needs <id> <MiB> [--expect-sectors <n>]");
      const [idArg, mibArg, opt, sectorsArg] = rest as [string, string, string?, string?];
      if (opt !== undefined && (opt !== "--expect-sectors" || !SECTORS.test(sectorsArg ?? "")))
        throw new UsageError("grow's option is --expect-sectors <n>: the COW's current size in sectors, as a plain integer");
      if (!ID.test(idArg)) throw new UsageError(`invalid machine id ${JSON.stringify(idArg.slice(0, 40))}`);
      if (!MIB.test(mibArg)) throw new UsageError(`invalid size ${JSON.stringify(mibArg.slice(0, 40))}: want MiB as a plain integer`);
      const id = Number(idArg);
      if (!knownIds.has(id)) throw new UsageError(`no machine ${id} in the helper's config`);
      return { verb: "grow", id, mib: Number(mibArg), ...(sectorsArg !== undefined ? { expectSectors: Number(sectorsArg) } : {}) };
    }
    case "image-update": {
      const list = ids();
      if (list.length !== 1 || rest.length !== 1) throw new UsageError("image-update needs one machine id: the PC that boots the update");
      return { verb: "image-update", id: list[0]! };
    }
    case "image-current":
    case "image-delete": {
      if (rest.length !== 1 || !VERSION.test(rest[0]!)) throw new UsageError(`${verb} needs a version number (a plain integer)`);
      return { verb: verb as "image-current" | "image-delete", n: Number(rest[0]), ...group };
    }
  }
}
