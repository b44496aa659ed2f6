import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync, writeSync } from "node:fs";

/** The few file operations the helper needs, behind a port so tests can observe and fake them. */
export interface FsPort {
  exists(path: string): boolean;
  /** File contents, or null when it cannot be read. */
  read(path: string): string | null;
  size(path: string): number | null;
  /** Creates a new file of the given size (sparse); fails if it exists. */
  createSized(path: string, bytes: number): void;
  /** Extends an existing file (never shrinks). */
  extend(path: string, bytes: number): void;
  mkdirp(path: string): void;
  list(dir: string): string[];
  /** Exclusive create: false when the file already exists. */
  createExclusive(path: string, content: string): boolean;
  remove(path: string): void;
  /**
   * Zeroes the first 4 KiB of a block device and fsyncs it, so the loop device's backing file holds
   * zeros before the snapshot is created again (the kernel reads the header through the loop driver).
   */
  zeroHeader(device: string): void;
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
  createSized: (p, bytes) => {
    const fd = openSync(p, "wx", 0o600);
    try {
      ftruncateSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
  },
  extend: (p, bytes) => {
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
  createExclusive: (p, content) => {
    try {
      writeFileSync(p, content, { flag: "wx", mode: 0o600 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw e;
    }
  },
  remove: (p) => {
    try {
      unlinkSync(p);
    } catch {
      /* already gone */
    }
  },
  zeroHeader: (device) => {
    const fd = openSync(device, "r+");
    try {
      if (writeSync(fd, Buffer.alloc(4096), 0, 4096, 0) !== 4096) throw new Error(`short write to ${device}`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
};
