import { errors } from "../api/errors";
import type { Config } from "../config/schema";

/**
 * Which PCs a request names: a list of ids, "all", or every PC of one PC group (`group`). A route's
 * zod schema lets exactly one of `machines` and `group` through (lib/validations/api.ts).
 */
export interface PcSelection {
  machines?: number[] | "all";
  group?: string;
}

/**
 * The ids a selection names, in config order for "all" and a group. A group's PCs go the same way
 * as a list of them would (kept PCs skipped, PCs that are up as asked): only the choosing is here.
 * An unknown group, or one without PCs, is a 400 that names the room's groups.
 */
export function selectPcs(config: Pick<Config, "machines" | "groups">, sel: PcSelection): number[] {
  if (sel.group !== undefined && sel.machines !== undefined) throw errors.badRequest("Give machines or group, not both");
  if (sel.group !== undefined) {
    const known = config.groups.map((g) => g.name).join(", ");
    const g = config.groups.find((x) => x.name === sel.group);
    if (!g) throw errors.badRequest(`No PC group ${sel.group}: the groups are ${known}`);
    const ids = config.machines.filter((m) => m.group === g.name).map((m) => m.id);
    if (!ids.length) throw errors.badRequest(`PC group ${g.name} has no PCs (the groups: ${known})`);
    return ids;
  }
  if (sel.machines === undefined) throw errors.badRequest('Give machines (ids or "all") or group');
  return sel.machines === "all" ? config.machines.map((m) => m.id) : sel.machines;
}

/** How an audit row or an event names the selection: the group, or nothing for a plain list. */
export const selectionWords = (sel: PcSelection): string => (sel.group !== undefined ? `group ${sel.group}` : "");
