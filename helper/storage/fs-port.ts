import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, statfsSync, unlinkSync, writeFileSync, writeSync } from "node:fs";

/** The few file operations the helper needs, behind a port so tests can observe and fake them. */
export interface FsPort {
  exists(path: string): boolean;
  /** File contents, or null when it cannot be read. */
  read(path: string): string | null;
  size(path: string): number | null;
  /** Inode and size, or null when the file is not there. */
  stat(path: string): { ino: number; size: number } | null;
  /** Bytes available to root on the filesystem holding this path. */
  freeBytes(path: string): number;
  /** The size of the filesystem holding this path, in bytes. */
  sizeBytes(path: string): number;
  /**
   * Cuts the COW file at `path` back to `bytes` (a COW auto-extend had grown) — only if that file is
   * still inode `ino`, the one the PC's loop device holds.
   */
  shrink(path: string, ino: number, bytes: number): void;
  /** Creates a new file of the given size (sparse); fails if it exists. */
  createSized(path: string, bytes: number): void;
  /** Sets an existing file's size. */
  truncate(path: string, bytes: number): void;
  mkdirp(path: string): void;
  list(dir: string): string[];
  /** Replaces the file's content all at once (a temp file renamed over it). */
  writeAtomic(path: string, content: string): void;
  remove(path: string): void;
  /**
   * Zeroes the first 4 KiB (the snapshot header) of the COW file at `path` and fsyncs it — but only
   * if that file is still inode `ino`, the one the PC's loop device holds: never another file that
   * took its name, never a loop device that may by now belong to another PC.
   */
  zeroHeader(path: string, ino: number): void;
}

export const nodeFs: FsPort = {
  exists: (p) => existsSync(p),
  read: (p) => {
    try {
      return readFileSync(p, "utf8");
    } catch {
      return null;
    }
  },
  size: (p) => {
    try {
      return statSync(p).size;
    } catch {
      return null;
    }
  },
  stat: (p) => {
    try {
      const st = statSync(p);
      return { ino: st.ino, size: st.size };
    } catch {
      return null;
    }
  },
  freeBytes: (p) => {
    const st = statfsSync(p);
    return st.bfree * st.bsize;
  },
  sizeBytes: (p) => {
    const st = statfsSync(p);
    return st.blocks * st.bsize;
  },
  shrink: (path, ino, bytes) => {
    const fd = openSync(path, "r+");
    try {
      if (fstatSync(fd).ino !== ino) throw new Error(`${path} is no longer the COW file in use (inode changed): not cutting it`);
      ftruncateSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  createSized: (p, bytes) => {
    const fd = openSync(p, "wx", 0o600);
    try {
      ftruncateSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
  },
  truncate: (p, bytes) => {
    const fd = openSync(p, "r+");
    try {
      ftruncateSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
  },
  mkdirp: (p) => void mkdirSync(p, { recursive: true, mode: 0o700 }),
  list: (d) => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  },
  writeAtomic: (p, content) => {
    const tmp = `${p}.${process.pid}.tmp`;
    writeFileSync(tmp, content, { mode: 0o600 });
    renameSync(tmp, p);
  },
  remove: (p) => {
    try {
      unlinkSync(p);
    } catch {
      /* already gone */
    }
  },
  zeroHeader: (path, ino) => {
    const fd = openSync(path, "r+");
    try {
      if (fstatSync(fd).ino !== ino) throw new Error(`${path} is no longer the COW file in use (inode changed): not zeroing it`);
      if (writeSync(fd, Buffer.alloc(4096), 0, 4096, 0) !== 4096) throw new Error(`short write to ${path}`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
};
