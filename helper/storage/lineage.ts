import path from "node:path";
import type { Config, Machine } from "../../lib/config/schema";
import { UPDATE_TID, updateIqn } from "../../lib/host/images";
import { diskIdentity, type ScsiIdentity } from "../iscsi/identity";

/**
 * One line of master image versions on a storage host: a master file and the versions made from it,
 * their state file, the update target a draft is exported on, the SCSI identity its disks show, and
 * the PCs whose COWs sit on it. Today a room has one (every PC's system disk); groups with their own
 * masters and a shared game disk are more of the same, so everything per line lives here.
 */
export interface Lineage {
  /** Names this line in messages and state files: "system" for the room's one system disk. */
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

/** The room's system disk: every PC, storage.master and today's file and target names (hosts keep their state). */
export function systemLineage(config: Config): Lineage {
  const { master, imageDir, keepVersions, iqnPrefix } = config.storage;
  return {
    key: "system",
    master,
    imageDir: imageDir ?? path.posix.dirname(master),
    keepVersions,
    stateFile: "images.json",
    update: { tid: UPDATE_TID, iqn: updateIqn(iqnPrefix), name: "cowherd-update" },
    identity: diskIdentity("system"),
    machines: config.machines,
  };
}
