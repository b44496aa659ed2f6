import { BIN, type Command } from "../../lib/host/command";
import { TIMEOUT } from "./command";

const cmd = (...args: string[]): Command => ({ file: BIN.losetup, args, timeoutMs: TIMEOUT.quick });

export const losetup = {
  list: () => cmd("--list", "--json", "--output", "NAME,BACK-FILE,BACK-INO,MAJ:MIN,RO"),
  attach: (file: string, readOnly: boolean) => cmd("--find", "--show", ...(readOnly ? ["--read-only"] : []), file),
  setCapacity: (dev: string) => cmd("--set-capacity", dev),
  detach: (dev: string) => cmd("--detach", dev),
};

export interface LoopDevice {
  name: string;
  backFile: string;
  /** The backing file was unlinked (losetup shows "(deleted)"): the loop still holds the old inode. */
  deleted: boolean;
  /** Inode of the backing file the loop holds open. */
  backIno: number | null;
  /** "7:3", as device-mapper tables name the device. */
  majMin: string;
  readOnly: boolean;
}

export function parseLosetupList(output: string): LoopDevice[] {
  if (!output.trim()) return [];
  type Row = { name: string; "back-file": string | null; "back-ino"?: number | string | null; "maj:min"?: string; ro: boolean | string | number };
  const json = JSON.parse(output) as { loopdevices?: Row[] };
  return (json.loopdevices ?? []).map((d) => {
    const file = d["back-file"] ?? "";
    return {
      name: d.name,
      backFile: file.replace(/ \(deleted\)$/, ""),
      deleted: / \(deleted\)$/.test(file),
      backIno: d["back-ino"] == null || d["back-ino"] === "" ? null : Number(d["back-ino"]),
      majMin: (d["maj:min"] ?? "").trim(),
      readOnly: d.ro === true || d.ro === "1" || d.ro === 1,
    };
  });
}
