/**
 * The storage host's parts, built once and shared by the verbs (status.ts, reset.ts, provisioning.ts,
 * grow.ts, image-verbs.ts): the config, the ports to the kernel (commands, files, the dm worker),
 * the reads, the per-PC locks, the journals and the image versions.
 */
import { gameLineKey, type Config, type DiskKind, type Machine } from "../../lib/config/schema";
import type { Runner } from "../../lib/host/command";
import { StepError, errorText } from "../../lib/host/step-error";
import { check } from "../commands/command";
import { dmsetup } from "../commands/dmsetup";
import { losetup } from "../commands/losetup";
import type { ExportSpec, IscsiBackend } from "../iscsi/backend";
import { diskIdentity } from "../iscsi/identity";
import { ietBackend } from "../iscsi/iet";
import { lioBackend } from "../iscsi/lio";
import { tgtBackend } from "../iscsi/tgt";
import type { FsPort } from "./fs-port";
import type { ImageState } from "./image-state";
import type { Bases } from "./layout";
import { diskOf, disksOf, kindOf, lineages, type Lineage, type PcDisk } from "./lineage";
import { Images } from "./images";
import { Journal } from "./journal";
import { PcLocks, type LockHolder } from "./locks";
import { HostReads } from "./reads";
import type { DmOps } from "./reset-plan";

export interface StorageDeps {
  config: Config;
  run: Runner;
  fs: FsPort;
  /** Device-mapper table work and the per-PC locks (the dm worker in production). */
  dm: DmOps & LockHolder;
  /** Where journals and lock files live (/run/cowherd). */
  stateDir: string;
  /** Where the image versions' state file lives (/var/lib/cowherd-helper: root's alone, and it survives a reboot). */
  libDir?: string;
  /** Something went wrong after the work was done (a loop of an old version not detached): said on stderr. */
  warn?: (line: string) => void;
  pid?: number;
  now?: () => number;
  lockWaitMs?: number;
}

export const MiB = 1024 * 1024;

export class StorageContext {
  readonly config: Config;
  readonly run: Runner;
  readonly fs: FsPort;
  readonly dm: DmOps & LockHolder;
  readonly stateDir: string;
  readonly pid: number;
  readonly backend: IscsiBackend;
  readonly reads: HostReads;
  readonly locks: PcLocks;
  readonly journal: Journal;
  /** Each PC group's lines of master image versions (its system disk's, its game disk's), in config order. */
  readonly lineages: readonly Lineage[];
  private readonly imagesBy: ReadonlyMap<string, Images>;
  readonly byId: ReadonlyMap<number, Machine>;

  constructor(private readonly d: StorageDeps) {
    const c = d.config;
    this.config = c;
    this.run = d.run;
    this.fs = d.fs;
    this.dm = d.dm;
    this.stateDir = d.stateDir;
    this.pid = d.pid ?? process.pid;
    this.byId = new Map(c.machines.map((m) => [m.id, m]));
    this.backend = c.storage.backend === "tgt" ? tgtBackend : c.storage.backend === "iet" ? ietBackend : lioBackend(() => this.specs());
    this.reads = new HostReads(d.run, d.fs, this.backend, () => this.specs());
    this.locks = new PcLocks(d.dm, d.stateDir, d.lockWaitMs);
    this.journal = new Journal(d.fs, d.stateDir);
    this.lineages = lineages(c);
    this.imagesBy = new Map(
      this.lineages.map((lineage) => [
        lineage.key,
        new Images({
          config: c,
          lineage,
          fs: d.fs,
          run: d.run,
          reads: this.reads,
          backend: this.backend,
          libDir: d.libDir ?? "/var/lib/cowherd-helper",
          stateDir: d.stateDir,
          pid: this.pid,
          now: () => this.now(),
          machine: (id) => this.machine(id),
        }),
      ]),
    );
  }

  /** The first group's versions: a room without groups has only these. */
  get images(): Images {
    return this.imagesBy.get(this.lineages[0]!.key)!;
  }

  /** Every line's versions (each group's system disk, its game disk), in config order. */
  get allImages(): Images[] {
    return [...this.imagesBy.values()];
  }

  /**
   * A group's versions of one of its disks (default: its system disk); an unknown group, or a group
   * without a game disk asked for its game disk's, is refused in words that list the known ones.
   */
  imagesFor(group: string, disk: DiskKind = "system"): Images {
    const known = this.config.groups.map((g) => g.name);
    if (!known.includes(group)) throw new StepError("validate", `no group ${group} in the helper's config (groups: ${known.join(", ")})`);
    const i = this.imagesBy.get(disk === "game" ? gameLineKey(group) : group);
    if (!i) {
      const games = this.config.groups.filter((g) => g.game).map((g) => g.name);
      throw new StepError("validate", `group ${group} has no game disk (groups with one: ${games.join(", ") || "none"})`);
    }
    return i;
  }

  /** The versions a disk of a PC sits on (its line: see PcDisk.group). */
  imagesOfDisk(d: Machine): Images {
    return this.imagesBy.get(d.group)!;
  }

  /**
   * Every line's versions as one Bases: a disk's base is its own line's, and a file is the version
   * of whichever group has it (version files never collide: the config refuses two groups whose
   * masters share a name and an image directory). Loads each state file unless given.
   */
  bases(states?: ReadonlyMap<string, ImageState>): Bases {
    const each = new Map(this.allImages.map((i) => [i.lineage.key, i.bases(states?.get(i.lineage.key) ?? i.load())]));
    return {
      baseFor: (m) => each.get(m.group)!.baseFor(m),
      versionAt: (file) => {
        for (const b of each.values()) {
          const n = b.versionAt(file);
          if (n !== null) return n;
        }
        return null;
      },
    };
  }

  /** The versions the PC's system disk sits on: its group's. */
  imagesOf(id: number): Images {
    return this.imagesFor(this.machine(id).group);
  }

  machine(id: number): Machine {
    const m = this.byId.get(id);
    if (!m) throw new StepError("validate", `no machine ${id} in the helper's config`);
    return m;
  }

  /**
   * The PC's disks a verb acts on: `disk` that one (a PC without a game disk asked for it is
   * refused), absent every disk it has (system, then game).
   */
  disks(id: number, disk?: DiskKind): PcDisk[] {
    const m = this.machine(id);
    if (disk === undefined) return disksOf(m);
    const d = diskOf(m, disk);
    if (!d) throw new StepError("validate", `${m.name} (PC ${id}) has no game disk: its group ${m.group} has none`);
    return [d];
  }

  /**
   * A disk's export: the PC's own target; the system disk on the backend's LUN, the game disk on the
   * next one, each with its kind's SCSI identity (the update target's too, see identity.ts).
   */
  spec(m: Machine): ExportSpec {
    const kind = kindOf(m);
    return {
      tid: m.id,
      iqn: m.iqn,
      name: m.dmName,
      device: `/dev/mapper/${m.dmName}`,
      allow: this.config.storage.access === "all" ? "ALL" : m.ip,
      identity: diskIdentity(kind),
      ...(kind === "game" ? { lun: this.backend.lun + 1 } : {}),
    };
  }

  private specs(): ExportSpec[] {
    const list = this.config.machines.flatMap((m) => disksOf(m).map((d) => this.spec(d)));
    // The update target too (LIO reads each target's configfs files by name).
    for (const images of this.allImages) {
      try {
        const u = images.updateSpec(images.load(), { loops: [] });
        if (u) list.push(u);
      } catch {
        /* an unreadable state file is reported by status itself */
      }
    }
    return list;
  }

  now(): number {
    return (this.d.now ?? Date.now)();
  }

  warn(what: string, e: unknown): void {
    (this.d.warn ?? ((l: string) => process.stderr.write(l + "\n")))(`cowherd-helper: ${what}: ${errorText(e)}`);
  }

  async runAll(cmds: ReturnType<IscsiBackend["lunOnline"]>): Promise<void> {
    for (const c of cmds) await check(this.run, c);
  }

  async nodes(name: string): Promise<void> {
    await check(this.run, dmsetup.mknodes(name));
  }

  async setCapacity(loop: string): Promise<void> {
    await check(this.run, losetup.setCapacity(loop)).catch((e: unknown) => {
      throw new StepError("set-capacity", errorText(e));
    });
  }

  /** What a reset plan and a repair need of this host. */
  planDeps() {
    return { dm: this.dm, reads: this.reads, fs: this.fs, nodes: (n: string) => this.nodes(n), setCapacity: (l: string) => this.setCapacity(l) };
  }
}
