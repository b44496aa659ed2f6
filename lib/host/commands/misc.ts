import { BIN, TIMEOUT, type Command } from "./command";

/** Zeroes the COW header (first 4 KiB) bypassing the page cache, so the kernel sees it at create. */
export const zeroHeader = (dev: string): Command => ({
  file: BIN.dd,
  args: ["if=/dev/zero", `of=${dev}`, "bs=4096", "count=1", "oflag=direct", "conv=notrunc,fsync", "status=none"],
  timeoutMs: TIMEOUT.io,
});

/** The 2010 method: zero the whole COW. Kept for benchmarks and the regression test only. */
export const zeroWhole = (dev: string): Command => ({
  file: BIN.dd,
  args: ["if=/dev/zero", `of=${dev}`, "bs=1M", "oflag=direct", "conv=notrunc,fsync", "status=none"],
  timeoutMs: 30 * 60_000,
});

/** Allocates the COW file's blocks up front so a full disk shows at setup, not as a dead snapshot. */
export const allocate = (file: string, bytes: number): Command => ({
  file: BIN.fallocate,
  args: ["--length", String(bytes), file],
  timeoutMs: TIMEOUT.io,
});
