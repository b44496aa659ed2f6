// The shell tool's PC arguments: ids or names (`retro-03`), `all`, or `--group <name>` (every PC of
// that PC group, as the API's `group` takes them). Pure: the CLI fetches and sends, this chooses.
import type { WhenOnline } from "../reset/requests";
import type { MachinesView } from "../status/machines-view";

/** A mistake in the PC arguments, in words (the CLI prints it and exits 1). */
export class PcArgsError extends Error {}

/** What `reset` was asked: the PCs by name or id (or `all`), or a group; how to treat PCs that are up; --kept. */
export interface ResetArgs {
  pcs: string[];
  group?: string;
  whenOnline: WhenOnline;
  confirmKept: boolean;
}

/**
 * `reset [--next-boot|--force] <id|name>...|all|--group <name>` and `reset --kept [--force] <id|name>`.
 * null: not what the usage says (the CLI shows it). PCs and --group together, or --group with
 * --kept (which resets one PC), is a PcArgsError.
 */
export function parseResetArgs(args: string[]): ResetArgs | null {
  const { group, rest } = takeGroup(args);
  if (rest === null) return null;
  const confirmKept = rest.includes("--kept");
  const others = rest.filter((a) => a !== "--kept");
  const flags = others.filter((a) => a.startsWith("--"));
  const pcs = others.filter((a) => !a.startsWith("--"));
  if (flags.some((f) => f !== "--next-boot" && f !== "--force") || flags.length > 1) return null;
  const whenOnline: WhenOnline = flags[0] === "--next-boot" ? "next-boot" : flags[0] === "--force" ? "force" : "refuse";
  if (group !== undefined) {
    if (pcs.length) throw new PcArgsError(`give PCs or --group ${group}, not both`);
    if (confirmKept) throw new PcArgsError("--kept resets one kept PC, named: not a group");
    return { pcs, group, whenOnline, confirmKept };
  }
  if (!pcs.length) return null;
  // A kept PC is reset alone, by its own route, which asks for the confirmation --kept gives.
  if (confirmKept && (pcs.length !== 1 || pcs[0] === "all" || whenOnline === "next-boot")) return null;
  return { pcs, whenOnline, confirmKept };
}

/** `--group <name>` taken out of the arguments (once at most); `rest` null: given twice or without a name. */
export function takeGroup(args: string[]): { group?: string; rest: string[] | null } {
  const at = args.indexOf("--group");
  if (at === -1) return { rest: args };
  const group = args[at + 1];
  const rest = [...args.slice(0, at), ...args.slice(at + 2)];
  if (group === undefined || group.startsWith("--") || rest.includes("--group")) return { rest: null };
  return { group, rest };
}

/** The room's group of that name, or a PcArgsError naming the groups there are. */
export function knownGroup(view: Pick<MachinesView, "groups">, name: string): { name: string; label: string } {
  const g = view.groups.find((x) => x.name === name);
  if (!g) throw new PcArgsError(`no PC group ${JSON.stringify(name)}; the groups: ${view.groups.map((x) => x.name).join(", ")}`);
  return g;
}

/** The PCs of the view in that group (`list --group`); an unknown group is a PcArgsError. */
export function pcsOfGroup<M extends { group: string }>(view: Pick<MachinesView, "groups"> & { machines: M[] }, name: string): M[] {
  const g = knownGroup(view, name);
  return view.machines.filter((m) => m.group === g.name);
}
