import type { Config, Group, Machine } from "../../lib/config/schema";
import { groupUpdateTarget, UPDATE_TID, updateIqn } from "../../lib/host/images";
import { diskIdentity, type ScsiIdentity } from "../iscsi/identity";

/**
 * One line of master image versions on a storage host: a master file and the versions made from it,
 * their state file, the update target a draft is exported on, the SCSI identity its disks show, and
 * the PCs whose COWs sit on it. Each PC group's system disk is one (a shared game disk will be more
 * of the same), so everything per line lives here.
 */
export interface Lineage {
  /** Names this line in messages and state files: the group's name. */
  key: string;
  /** The master as configured: version 1. */
  master: string;
  /** Where new versions go (default: the master's directory). */
  imageDir: string;
  keepVersions: number;
  /** The state file's name in the helper's own directory (/var/lib/cowherd-helper). */
  stateFile: string;
  update: { tid: number; iqn: string; name: string };
  identity: ScsiIdentity;
  machines: readonly Machine[];
}

/**
 * A group's system disk. The group on storage.master keeps the names a host had before groups (the
 * state file images.json, the update target `:update` on tid 1000): upgrading needs no migration.
 */
export function groupLineage(config: Config, g: Group): Lineage {
  const legacy = g.master === config.storage.master;
  return {
    key: g.name,
    master: g.master,
    imageDir: g.imageDir,
    keepVersions: g.keepVersions,
    stateFile: legacy ? "images.json" : `images-${g.name}.json`,
    update: legacy
      ? { tid: UPDATE_TID, iqn: updateIqn(config.storage.iqnPrefix), name: "cowherd-update" }
      : groupUpdateTarget(config.storage.iqnPrefix, g.name),
    identity: diskIdentity("system"),
    machines: config.machines.filter((m) => m.group === g.name),
  };
}

/** Every group's lineage, in config order. */
export const lineages = (config: Config): Lineage[] => config.groups.map((g) => groupLineage(config, g));
