import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  statfsSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { copyFile, open } from "node:fs/promises";
import path from "node:path";
import { errorText } from "../../lib/host/step-error";

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
  /** Replaces the file's content durably: a temp file, fsynced, renamed over it, the directory fsynced. */
  writeDurable(path: string, content: string): void;
  /** Renames a file and fsyncs its directory, so the rename survives a crash. */
  rename(from: string, to: string): void;
  chmod(path: string, mode: number): void;
  /** fsyncs a file's data. */
  sync(path: string): void;
  /**
   * Copies an image file to a new file `dst` (which must not exist): shares its blocks (reflink)
   * where the filesystem can, else reads and writes it in chunks, keeping holes, with progress, and
   * fsyncs it. `stop()` answering true between chunks aborts the copy (an Error). `shareOnly`: a
   * reflink or nothing (the store has no room for a real copy).
   */
  copyImage(src: string, dst: string, progress: (bytes: number) => void, stop: () => boolean, shareOnly?: boolean): Promise<"reflink" | "copy">;
  /** A file in `dir` can share `src`'s blocks (a reflink clone, made and removed at once: no space taken). */
  canReflink(src: string, dir: string): boolean;
}

const CHUNK = 8 * 1024 * 1024;

/** Writes through `<path>.<pid>.tmp`; a write that fails (a full /run) leaves no temp file behind. */
function viaTemp(p: string, write: (tmp: string) => void): void {
  const tmp = `${p}.${process.pid}.tmp`;
  try {
    write(tmp);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* never made */
    }
    throw e;
  }
}

function syncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function chunkedCopy(src: string, dst: string, progress: (bytes: number) => void, stop: () => boolean): Promise<void> {
  const from = await open(src, "r");
  try {
    const to = await open(dst, "wx", 0o600);
    try {
      const size = (await from.stat()).size;
      const buf = Buffer.alloc(CHUNK);
      const zero = Buffer.alloc(CHUNK);
      for (let pos = 0; pos < size; ) {
        if (stop()) throw new Error("the copy was stopped (the draft was discarded)");
        const { bytesRead } = await from.read(buf, 0, Math.min(CHUNK, size - pos), pos);
        if (bytesRead === 0) throw new Error(`${src} ended at ${pos} of ${size} bytes while copying`);
        // All-zero chunks are left as holes (the file is sized at the end): a sparse master stays sparse.
        const chunk = buf.subarray(0, bytesRead);
        if (!chunk.equals(zero.subarray(0, bytesRead))) {
          for (let off = 0; off < bytesRead; ) off += (await to.write(chunk, off, bytesRead - off, pos + off)).bytesWritten;
        }
        pos += bytesRead;
        progress(pos);
      }
      await to.truncate(size);
      await to.sync();
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
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
  writeAtomic: (p, content) =>
    viaTemp(p, (tmp) => {
      writeFileSync(tmp, content, { mode: 0o600 });
      renameSync(tmp, p);
    }),
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
  writeDurable: (p, content) => {
    viaTemp(p, (tmp) => {
      const fd = openSync(tmp, "w", 0o600);
      try {
        writeSync(fd, content);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, p);
    });
    syncDir(path.dirname(p));
  },
  rename: (from, to) => {
    renameSync(from, to);
    syncDir(path.dirname(to));
  },
  chmod: (p, mode) => chmodSync(p, mode),
  sync: (p) => {
    const fd = openSync(p, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  canReflink: (src, dir) => {
    const probe = path.join(dir, `.cowherd-reflink-probe-${process.pid}`);
    try {
      copyFileSync(src, probe, constants.COPYFILE_FICLONE_FORCE | constants.COPYFILE_EXCL);
      return true;
    } catch {
      return false;
    } finally {
      try {
        unlinkSync(probe);
      } catch {
        /* never made */
      }
    }
  },
  copyImage: async (src, dst, progress, stop, shareOnly) => {
    try {
      // COPYFILE_FICLONE_FORCE fails where the filesystem cannot share blocks (then: a real copy).
      await copyFile(src, dst, constants.COPYFILE_FICLONE_FORCE | constants.COPYFILE_EXCL);
      const fd = openSync(dst, "r");
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      progress(statSync(dst).size);
      return "reflink";
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") throw e;
      try {
        unlinkSync(dst);
      } catch {
        /* the reflink made no file */
      }
      if (shareOnly) throw new Error(`the filesystem did not share the image's blocks this time (${errorText(e)}), and there is no room for a real copy`);
    }
    try {
      await chunkedCopy(src, dst, progress, stop);
    } catch (e) {
      try {
        unlinkSync(dst);
      } catch {
        /* never created */
      }
      throw e;
    }
    return "copy";
  },
};
