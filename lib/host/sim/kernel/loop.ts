import type { SimFiles } from "./files";

/** A loop device: the inode it holds open, its capacity as the kernel last read it, read-only or not. */
export interface Loop {
  name: string;
  /** The path the file had when it was attached (losetup prints it, with " (deleted)" once unlinked). */
  backFile: string;
  ro: boolean;
  ino: number;
  /** Its backing file was unlinked: the loop still holds the old inode. */
  deleted?: boolean;
  /** Capacity in sectors, read from the file at attach and at --set-capacity only. */
  sectors?: number;
  /** Detached while a device-mapper table still used it: it goes when the table lets go. */
  autoclear?: boolean;
}

export const loopNumber = (name: string) => Number(name.replace("/dev/loop", ""));
export const loopMajMin = (name: string) => `7:${loopNumber(name)}`;

export type Answer = { code: number; stdout: string; stderr: string };
const ok = (stdout = ""): Answer => ({ code: 0, stdout, stderr: "" });
const err = (code: number, stderr: string): Answer => ({ code, stdout: "", stderr });

/** losetup as the helper runs it: --list --json, --find --show [--read-only], --set-capacity, --detach. */
export function losetupCommand(args: string[], loops: Loop[], files: SimFiles, inUse: (majMin: string) => boolean): { answer: Answer; loops: Loop[] } {
  const a = args;
  if (a[0] === "--list") {
    const rows = loops.map((l) => ({
      name: l.name,
      "back-file": l.backFile + (l.deleted ? " (deleted)" : ""),
      "back-ino": l.ino,
      "maj:min": loopMajMin(l.name),
      ro: l.ro,
    }));
    return { answer: ok(loops.length ? JSON.stringify({ loopdevices: rows }) : ""), loops };
  }
  if (a[0] === "--find") {
    const file = a[a.length - 1]!;
    const f = files.files.get(file);
    if (!f) return { answer: err(1, `losetup: ${file}: failed to set up loop device: No such file or directory`), loops };
    const used = new Set(loops.map((l) => loopNumber(l.name)));
    let n = 0;
    while (used.has(n)) n++;
    const loop: Loop = { name: `/dev/loop${n}`, backFile: file, ro: a.includes("--read-only"), ino: f.ino, sectors: Math.floor(f.size / 512) };
    return { answer: ok(`${loop.name}\n`), loops: [...loops, loop] };
  }
  const dev = a[1] ?? "";
  const loop = loops.find((l) => l.name === dev);
  if (a[0] === "--set-capacity" || a[0] === "--detach") {
    if (!loop) return { answer: err(1, `losetup: ${dev}: ${a[0] === "--detach" ? "detach" : "set capacity"} failed: No such device or address`), loops };
    if (a[0] === "--set-capacity") {
      loop.sectors = Math.floor((files.inode(loop.ino)?.size ?? 0) / 512);
      return { answer: ok(), loops };
    }
    // The kernel defers the detach of a loop a table still holds (autoclear) and says nothing.
    if (inUse(loopMajMin(loop.name))) {
      loop.autoclear = true;
      return { answer: ok(), loops };
    }
    return { answer: ok(), loops: loops.filter((l) => l !== loop) };
  }
  return { answer: err(1, `losetup: unrecognized option '${a[0] ?? ""}'\nTry 'losetup --help' for more information.`), loops };
}
