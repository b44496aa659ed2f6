import { gameLineKey, type Config, type DiskKind, type Group, type Machine } from "../../lib/config/schema";
import { groupUpdateTarget, UPDATE_TID, updateIqn } from "../../lib/host/images";
import { diskIdentity, type ScsiIdentity } from "../iscsi/identity";

/**
 * One line of master image versions on a storage host: a master file and the versions made from it,
 * their state file, the update target a draft is exported on, the SCSI identity its disks show, and
 * the PCs whose COWs sit on it. Each PC group's system disk is one (a shared game disk will be more
 * of the same), so everything per line lives here.
 */
export interface Lineage {
  /** Names this line in messages and state files: the group's name (its game disk's: "<group>-game"). */
  key: string;
  /** The PC group it belongs to. */
  group: string;
  /** Which of the group's disks. */
  disk: DiskKind;
  /** The master as configured: version 1. */
  master: string;
  /** Where new versions go (default: the master's directory). */
  imageDir: string;
  keepVersions: number;
  /** The state file's name in the helper's own directory (/var/lib/cowherd-helper). */
  stateFile: string;
  update: { tid: number; iqn: string; name: string };
  identity: ScsiIdentity;
  /** The group's PCs, as views of this line's disk (see diskOf). */
  machines: readonly PcDisk[];
}

/**
 * One disk of a PC, in the shape every per-PC step takes (layoutOf, ensureSnapshot, the reset plan,
 * up, down, repair, grow): its own dm device, COW file, sizes, chunk and mode; the PC's id, name,
 * iqn and address; `group` names the line of versions it sits on (for the game disk, the group's
 * game line "<group>-game"). The system disk's view is the Machine itself.
 */
export interface PcDisk extends Machine {
  disk: DiskKind;
}

/** The PC's disk of that kind; null when it has none (a game disk in a group without one). */
export function diskOf(m: Machine, disk: DiskKind): PcDisk | null {
  const { game, ...pc } = m;
  if (disk === "system") return { ...pc, disk };
  if (!game) return null;
  return { ...pc, ...game, group: gameLineKey(m.group), disk };
}

/** Every disk the PC has: its system disk, then its game disk (when its group has one). */
export const disksOf = (m: Machine): PcDisk[] => [diskOf(m, "system")!, ...(m.game ? [diskOf(m, "game")!] : [])];

/** Which disk a Machine-shaped value is (a plain Machine is its system disk). */
export const kindOf = (m: Machine): DiskKind => (m as Partial<PcDisk>).disk ?? "system";

/** A step or action on a disk as reports show it: the game disk's with a "game:" prefix. */
export const onDisk = (m: Machine, step: string): string => (kindOf(m) === "game" ? `game:${step}` : step);

/**
 * A group's system disk. The group on storage.master keeps the names a host had before groups (the
 * state file images.json, the update target `:update` on tid 1000): upgrading needs no migration.
 */
export function groupLineage(config: Config, g: Group): Lineage {
  const legacy = g.master === config.storage.master;
  return {
    key: g.name,
    group: g.name,
    disk: "system",
    master: g.master,
    imageDir: g.imageDir,
    keepVersions: g.keepVersions,
    stateFile: legacy ? "images.json" : `images-${g.name}.json`,
    update: legacy
      ? { tid: UPDATE_TID, iqn: updateIqn(config.storage.iqnPrefix), name: "cowherd-update" }
      : groupUpdateTarget(config.storage.iqnPrefix, g.name),
    identity: diskIdentity("system"),
    machines: config.machines.filter((m) => m.group === g.name).map((m) => diskOf(m, "system")!),
  };
}

/** A group's game disk (its own master, versions, state file and update target); null without one. */
export function gameLineage(config: Config, g: Group): Lineage | null {
  if (!g.game) return null;
  const key = gameLineKey(g.name);
  return {
    key,
    group: g.name,
    disk: "game",
    master: g.game.master,
    imageDir: g.game.imageDir,
    keepVersions: g.game.keepVersions,
    stateFile: `images-${key}.json`,
    update: groupUpdateTarget(config.storage.iqnPrefix, key),
    identity: diskIdentity("game"),
    machines: config.machines.filter((m) => m.group === g.name).flatMap((m) => diskOf(m, "game") ?? []),
  };
}

/** Every group's lineages in config order: its system disk's, then its game disk's (when it has one). */
export const lineages = (config: Config): Lineage[] =>
  config.groups.flatMap((g) => {
    const game = gameLineage(config, g);
    return game ? [groupLineage(config, g), game] : [groupLineage(config, g)];
  });
