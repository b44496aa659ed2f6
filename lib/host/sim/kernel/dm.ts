import { canAllocate, usage } from "../snapshot-model";
import type { CowStore, SimFiles } from "./files";
import { loopMajMin, type Answer, type Loop } from "./loop";

/** A device-mapper device: its live and inactive tables ("0 <len> <target> <params>") and whether it is suspended. */
export interface DmDevice {
  live: string | null;
  inactive: string | null;
  suspended: boolean;
}

/** A snapshot target instance (what a loaded snapshot table is in the kernel): its store and in-memory state. */
export interface Snap {
  store: CowStore;
  /** The COW device (major:minor) and its loop. */
  cow: string;
  chunkSectors: number;
  mode: "P" | "PO" | "N";
  /** PO mode: an exception could not be allocated; writes to new chunks fail, reads work. */
  overflow: boolean;
}

const ok = (stdout = ""): Answer => ({ code: 0, stdout, stderr: "" });
const err = (stderr: string, code = 1): Answer => ({ code, stdout: "", stderr });

export class DmError extends Error {}

/** Device-mapper: devices, their snapshot instances, and what dmsetup prints of them. */
export class SimDm {
  devices = new Map<string, DmDevice>();
  /** Devices whose /dev/mapper node is missing although the device exists (no udev, a kill mid-create). */
  noNode = new Set<string>();
  /** Devices some process outside the helper holds open (remove fails with EBUSY). */
  held = new Set<string>();
  /** Snapshot instances of the live and the inactive tables. */
  live = new Map<string, Snap>();
  inactive = new Map<string, Snap>();

  constructor(
    private readonly files: SimFiles,
    private readonly loops: () => Loop[],
    /** The backing paths of every LUN (tgtd holds those open). */
    private readonly lunPaths: () => string[],
  ) {}

  device(name: string): DmDevice {
    const d = this.devices.get(name);
    if (!d) throw new DmError(`device-mapper: ${name}: No such device or address`);
    return d;
  }

  openCount(name: string): number {
    return this.openCounts()(name);
  }

  /** Every device's open count at once (one pass over the LUNs, not one per device). */
  private openCounts(): (name: string) => number {
    const luns = new Map<string, number>();
    for (const p of this.lunPaths()) luns.set(p, (luns.get(p) ?? 0) + 1);
    return (name) => (luns.get(`/dev/mapper/${name}`) ?? 0) + (this.held.has(name) ? 1 : 0);
  }

  /** Major:minor numbers some table (live or inactive) refers to. */
  usesDevice(majMin: string): boolean {
    for (const d of this.devices.values()) for (const t of [d.live, d.inactive]) if (t?.split(" ").slice(3).includes(majMin)) return true;
    return false;
  }

  /**
   * Builds a table's target as the kernel's constructor does: a snapshot finds its origin and COW
   * devices, takes over the exception store of a live instance on the same COW (handover: the
   * header is not read then), else reads the header: a zeroed one starts a fresh store.
   */
  construct(name: string, table: string): Snap | null {
    const p = table.trim().split(/\s+/);
    const [start, len, target] = p;
    if (start !== "0" || !/^\d+$/.test(len ?? "") || Number(len) <= 0) throw new DmError(`device-mapper: reload ioctl on ${name} failed: Invalid argument`);
    if (target === "error" || target === "zero") return null;
    if (target === "linear") {
      if (!this.loops().some((l) => loopMajMin(l.name) === p[3])) throw new DmError(`device-mapper: reload ioctl on ${name} failed: No such device or address`);
      return null;
    }
    if (target !== "snapshot" || p.length !== 7) throw new DmError(`device-mapper: reload ioctl on ${name} failed: Invalid argument`);
    const [, , , origin, cow, mode, chunk] = p as [string, string, string, string, string, string, string];
    const loops = this.loops();
    const cowLoop = loops.find((l) => loopMajMin(l.name) === cow);
    if (!loops.some((l) => loopMajMin(l.name) === origin) || !cowLoop)
      throw new DmError(`device-mapper: reload ioctl on ${name} failed: No such device or address`);
    const chunkSectors = Number(chunk);
    if (!["P", "PO", "N"].includes(mode) || !(chunkSectors > 0) || (chunkSectors & (chunkSectors - 1)) !== 0)
      throw new DmError(`device-mapper: reload ioctl on ${name} failed: Invalid argument`);
    for (const [other, s] of this.inactive)
      if (other !== name && s.cow === cow) throw new DmError(`device-mapper: reload ioctl on ${name} failed: Invalid argument`);
    const handover = [...this.live.values()].find((s) => s.cow === cow);
    const base = { cow, chunkSectors, mode: mode as Snap["mode"], overflow: false };
    if (handover) return { ...base, store: handover.store };
    const inode = this.files.inode(cowLoop.ino);
    if (mode === "N" || !inode) return { ...base, store: { exceptions: 0, invalid: false } };
    inode.cow ??= { exceptions: 0, invalid: false };
    return { ...base, store: inode.cow };
  }

  create(name: string, table: string): void {
    if (this.devices.has(name)) throw new DmError("device-mapper: create ioctl on " + name + " failed: Device or resource busy");
    const snap = this.construct(name, table);
    this.devices.set(name, { live: table, inactive: null, suspended: false });
    if (snap) this.live.set(name, snap);
  }

  load(name: string, table: string): void {
    const d = this.device(name);
    const snap = this.construct(name, table);
    d.inactive = table;
    if (snap) this.inactive.set(name, snap);
    else this.inactive.delete(name);
  }

  resume(name: string): void {
    const d = this.device(name);
    if (d.inactive !== null) {
      d.live = d.inactive;
      d.inactive = null;
      const snap = this.inactive.get(name);
      this.inactive.delete(name);
      if (snap) this.live.set(name, snap);
      else this.live.delete(name);
    }
    d.suspended = false;
  }

  /** The worker's wipe: an error table loaded and resumed at once (no snapshot instance remains). */
  wipe(name: string, sectors: number): void {
    const d = this.device(name);
    Object.assign(d, { live: `0 ${sectors} error`, inactive: null, suspended: false });
    this.live.delete(name);
    this.inactive.delete(name);
  }

  clear(name: string): void {
    this.device(name).inactive = null;
    this.inactive.delete(name);
  }

  remove(name: string): void {
    if (!this.devices.has(name)) throw new DmError(`Device ${name} not found\nCommand failed.`);
    if (this.openCount(name) > 0) throw new DmError(`device-mapper: remove ioctl on ${name}  failed: Device or resource busy\nCommand failed.`);
    this.devices.delete(name);
    this.live.delete(name);
    this.inactive.delete(name);
    this.noNode.delete(name);
  }

  /** The loop device with this major:minor ("7:3" is /dev/loop3). */
  private loopOf(majMin: string): Loop | undefined {
    const name = `/dev/loop${majMin.slice(2)}`;
    return majMin.startsWith("7:") ? this.loops().find((l) => l.name === name) : undefined;
  }

  /** The device as a snapshot with a live instance, or null. */
  snapshot(name: string): { snap: Snap; loop: Loop } | null {
    const d = this.devices.get(name);
    let snap = this.live.get(name);
    // A table staged directly (a test's setup): its instance is built on first look, as a load would.
    if (!snap && d?.live && d.live.split(" ")[2] === "snapshot") {
      try {
        snap = this.construct(name, d.live) ?? undefined;
        if (snap) this.live.set(name, snap);
      } catch {
        return null;
      }
    }
    const loop = snap && this.loopOf(snap.cow);
    return d?.live && snap && loop ? { snap, loop } : null;
  }

  /** What `dmsetup status` prints for one snapshot instance (dm-snap-persistent's counts). */
  snapshotStatus(snap: Snap, loop: Loop): string {
    if (snap.store.invalid) return "Invalid";
    if (snap.overflow) return "Overflow";
    const u = usage(snap.store.exceptions, { cowSectors: loop.sectors ?? 0, chunkSectors: snap.chunkSectors });
    return `${u.usedSectors}/${u.totalSectors} ${u.metadataSectors}`;
  }

  /**
   * A PC writes `bytes` of new data (chunks its snapshot does not hold yet) in one request from a
   * chunk boundary: every chunk it touches, the last one partly, is a new exception while the store has room; then a P snapshot is invalidated (its header says so),
   * a PO one overflows (that write fails, the snapshot stays readable).
   */
  write(name: string, bytes: number): "ok" | "invalid" | "overflow" | "no-snapshot" {
    const s = this.snapshot(name);
    if (!s || this.devices.get(name)!.suspended) return "no-snapshot";
    const { snap, loop } = s;
    if (snap.store.invalid) return "invalid";
    if (snap.overflow) return "overflow";
    const g = { cowSectors: loop.sectors ?? 0, chunkSectors: snap.chunkSectors };
    for (let n = Math.ceil(Math.max(0, bytes) / (snap.chunkSectors * 512)); n > 0; n--) {
      if (!canAllocate(snap.store.exceptions, g)) {
        if (snap.mode === "PO") {
          snap.overflow = true;
          return "overflow";
        }
        snap.store.invalid = true;
        // dm-snap-persistent writes the invalid flag into the header: it survives a re-creation.
        const inode = this.files.inode(loop.ino);
        if (inode && snap.mode !== "N") inode.cow = snap.store;
        return "invalid";
      }
      snap.store.exceptions++;
    }
    return "ok";
  }

  /** Stages a snapshot that filled up: Invalid (its header says so) or Overflow (PO, in memory). */
  spoil(name: string, how: "invalid" | "overflow"): void {
    const s = this.snapshot(name);
    if (!s) return;
    if (how === "overflow") {
      s.snap.overflow = true;
      return;
    }
    s.snap.store.invalid = true;
    const inode = this.files.inode(s.loop.ino);
    if (inode && s.snap.mode !== "N") inode.cow = s.snap.store;
  }

  private lines(f: (n: string, d: DmDevice) => string | null): string {
    return (
      [...this.devices]
        .map(([n, d]) => f(n, d))
        .filter((l) => l !== null)
        .join("\n") || "No devices found"
    );
  }

  /** dmsetup as the helper runs it (status, table, info -c, create, remove, resume, mknodes, clear). */
  command(args: string[]): Answer {
    const a = args;
    const tgt = (t: string) => t.split(" ").slice(0, 3).join(" ");
    try {
      switch (a[0]) {
        case "status":
          return ok(
            this.lines((n, d) => {
              if (d.live === null) return null;
              const s = this.snapshot(n);
              return s ? `${n}: ${tgt(d.live)} ${this.snapshotStatus(s.snap, s.loop)}` : `${n}: ${tgt(d.live)}`;
            }) + "\n",
          );
        case "table":
          return ok(this.lines((n, d) => (d.live === null ? null : `${n}: ${d.live}`)) + "\n");
        case "info": {
          const open = this.openCounts();
          return ok(this.lines((n, d) => `${n}:${d.live ? "L" : "-"}${d.inactive ? "I" : "-"}${d.suspended ? "s" : "-"}w:${open(n)}`) + "\n");
        }
        case "create":
          if (a[2] !== "--table" || !a[1] || !a[3]) return err("Usage: dmsetup create <dev_name> [--table <table>]");
          this.create(a[1], a[3]);
          return ok();
        case "remove":
          this.remove(a[1] ?? "");
          return ok();
        case "resume":
          if (!this.devices.has(a[1] ?? "")) return err(`Device ${a[1]} not found\nCommand failed.`);
          this.resume(a[1]!);
          return ok();
        case "mknodes":
          this.noNode.delete(a[1] ?? "");
          return ok();
        case "clear":
          if (!this.devices.has(a[1] ?? "")) return err(`Device ${a[1]} not found\nCommand failed.`);
          this.clear(a[1]!);
          return ok();
        default:
          return err(`Unrecognised command: ${a[0] ?? ""}`);
      }
    } catch (e) {
      if (e instanceof DmError) return err(e.message);
      throw e;
    }
  }
}
