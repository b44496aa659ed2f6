import { BIN, type Command } from "../../lib/host/command";
import { TIMEOUT } from "./command";

/** Allocates the COW file's blocks up front so a full disk shows at setup, not as a dead snapshot. */
export const allocate = (file: string, bytes: number): Command => ({
  file: BIN.fallocate,
  args: ["--length", String(bytes), file],
  timeoutMs: TIMEOUT.io,
});
