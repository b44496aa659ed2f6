/**
 * The simulated kernel's filesystem: paths naming inodes, with sizes, allocated blocks and (for a
 * COW file) its on-disk exception store. One filesystem of a fixed size stands for the host's
 * disks: a file takes space as its blocks are allocated, and an allocation past the free space
 * fails like ENOSPC. An unlinked file a loop device still holds stays (and keeps its space) until
 * the loop lets go of it, as the kernel keeps an open inode.
 */

/** A persistent dm-snapshot exception store as it sits on the COW device (its header and areas). */
export interface CowStore {
  /** Exceptions (remapped chunks) the store holds. */
  exceptions: number;
  /** The header says the snapshot was invalidated (its P store filled up). */
  invalid: boolean;
}

export interface Inode {
  ino: number;
  size: number;
  /** Bytes of blocks allocated (absent: as many as its size). Sparse files and reflinks take less. */
  allocated?: number;
  /** A small text file's content (state files, journals). */
  text?: string;
  /** The on-disk exception store; absent: a zeroed header (a new COW, or one a reset zeroed). */
  cow?: CowStore;
  mode?: number;
}

export const GiB = 1024 ** 3;

export class NoSpaceError extends Error {
  constructor(path: string) {
    super(`ENOSPC: no space left on device, write '${path}'`);
  }
}

/** The system's own directories are other filesystems (tmpfs /run, the root filesystem): they take no store space. */
export const onStore = (path: string) => !/^\/(run|var|usr|etc|proc|sys|dev|tmp)\//.test(path);

export class SimFiles {
  /** Path → inode. Tests may set entries directly to stage a situation (a file swapped under a loop). */
  files = new Map<string, Inode>();
  /** Unlinked inodes something still holds open (a loop's backing file): still taking space. */
  orphans = new Map<number, Inode>();
  /** The filesystem's size. */
  sizeBytes: number;
  /** Space taken by files outside the simulation's view (the rest of the host's data). */
  otherBytes = 0;
  nextIno = 100;

  constructor(sizeBytes = 200 * GiB) {
    this.sizeBytes = sizeBytes;
  }

  private taken(): number {
    let n = this.otherBytes;
    for (const [p, f] of this.files) if (onStore(p)) n += f.allocated ?? f.size;
    for (const f of this.orphans.values()) n += f.allocated ?? f.size;
    return n;
  }

  get freeBytes(): number {
    return Math.max(0, this.sizeBytes - this.taken());
  }

  /** Stages a store with this much free space (the rest is other data). */
  set freeBytes(bytes: number) {
    this.otherBytes = Math.max(0, this.otherBytes + this.freeBytes - bytes);
  }

  /** Allocates `bytes` more for `path`, or fails like the filesystem does when it is full. */
  allocate(path: string, bytes: number): void {
    if (onStore(path) && bytes > this.freeBytes) throw new NoSpaceError(path);
  }

  add(path: string, size: number, extra: Partial<Inode> = {}): Inode {
    const f: Inode = { ino: this.nextIno++, size, ...extra };
    this.files.set(path, f);
    return f;
  }

  /** The inode with this number, linked or held open after an unlink. */
  inode(ino: number): Inode | undefined {
    for (const f of this.files.values()) if (f.ino === ino) return f;
    return this.orphans.get(ino);
  }

  /** Unlinks a path; `held(ino)` says whether something still holds the inode open. */
  unlink(path: string, held: (ino: number) => boolean): void {
    const f = this.files.get(path);
    if (!f) return;
    this.files.delete(path);
    if (held(f.ino) && ![...this.files.values()].some((g) => g === f)) this.orphans.set(f.ino, f);
  }

  /** An orphan nobody holds any more is freed. */
  release(ino: number, held: (ino: number) => boolean): void {
    if (this.orphans.has(ino) && !held(ino)) this.orphans.delete(ino);
  }
}
