import type { Command, CommandResult } from "../../command";
import type { SimKernel } from "./kernel";
import { losetupCommand } from "./loop";

/**
 * The host's programs, by their base name: losetup, dmsetup, tgtadm and fallocate do what the real
 * ones do to the simulated kernel; anything else is not installed (what spawn says of a missing
 * program: exit 127).
 */
export function runCommand(k: SimKernel, cmd: Command): CommandResult {
  const tool = cmd.file.split("/").pop();
  const a = cmd.args;
  switch (tool) {
    case "losetup": {
      const { answer, loops } = losetupCommand(a, k.loops, k.fsys, (mm) => k.dmk.usesDevice(mm));
      k.loops = loops;
      k.sweep();
      return answer;
    }
    case "dmsetup": {
      const r = k.dmk.command(a);
      k.sweep();
      return r;
    }
    case "tgtadm":
      if (!k.fsys.files.has(cmd.file)) break;
      return k.tgt.command(a.filter((x, i) => !(x === "--lld" || a[i - 1] === "--lld")));
    case "fallocate":
      return fallocate(k, a);
  }
  return { code: 127, stdout: "", stderr: `${cmd.file}: spawn ${cmd.file} ENOENT` };
}

/** `fallocate --length <bytes> <file>`: creates the file if needed and allocates its blocks (ENOSPC: the file stays, empty). */
function fallocate(k: SimKernel, a: string[]): CommandResult {
  const i = a.indexOf("--length");
  const bytes = Number(a[i + 1]);
  const file = a[a.length - 1]!;
  if (i < 0 || !Number.isSafeInteger(bytes) || bytes <= 0 || a.length !== 3)
    return { code: 1, stdout: "", stderr: "fallocate: invalid length value specified" };
  const f = k.fsys.files.get(file) ?? k.fsys.add(file, 0, { allocated: 0, mode: 0o644 });
  const had = f.allocated ?? f.size;
  if (bytes - had > k.fsys.freeBytes) return { code: 1, stdout: "", stderr: "fallocate: fallocate failed: No space left on device" };
  f.allocated = Math.max(had, bytes);
  f.size = Math.max(f.size, bytes);
  return { code: 0, stdout: "", stderr: "" };
}
