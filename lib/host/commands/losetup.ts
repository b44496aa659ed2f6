import { BIN, TIMEOUT, type Command } from "./command";

const cmd = (...args: string[]): Command => ({ file: BIN.losetup, args, timeoutMs: TIMEOUT.quick });

export const losetup = {
  list: () => cmd("--list", "--json", "--output", "NAME,BACK-FILE,RO,SIZELIMIT,OFFSET"),
  attach: (file: string, readOnly: boolean) => cmd("--find", "--show", ...(readOnly ? ["--read-only"] : []), file),
  setCapacity: (dev: string) => cmd("--set-capacity", dev),
  detach: (dev: string) => cmd("--detach", dev),
};

export interface LoopDevice {
  name: string;
  backFile: string;
  readOnly: boolean;
}

export function parseLosetupList(output: string): LoopDevice[] {
  if (!output.trim()) return [];
  const json = JSON.parse(output) as { loopdevices?: { name: string; "back-file": string | null; ro: boolean | string | number }[] };
  return (json.loopdevices ?? []).map((d) => ({
    name: d.name,
    // losetup appends " (deleted)" when the backing file was unlinked.
    backFile: (d["back-file"] ?? "").replace(/ \(deleted\)$/, ""),
    readOnly: d.ro === true || d.ro === "1" || d.ro === 1,
  }));
}
