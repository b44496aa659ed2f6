import type { DiskKind } from "../../lib/config/schema";
import { StepError, errorText } from "../../lib/host/step-error";
import { check } from "../commands/command";
import { allocate } from "../commands/misc";
import { MiB, type StorageContext } from "./context";
import { layoutOf } from "./layout";
import { ensureSpace } from "./space";

/**
 * The `grow` verb: the PC's COW file (its system disk's, or its game disk's) allocated to `mib` and its loop's capacity set again, under
 * its lock, with no table reload; the snapshot's new total checked in its status after.
 */
export async function grow(c: StorageContext, id: number, mib: number, expectSectors?: number, disk?: DiskKind): Promise<{ totalSectors: number }> {
  // Its system disk's COW, or (disk "game") its game disk's: the same steps on that disk's files.
  const m = c.disks(id, disk ?? "system")[0]!;
  return c.locks.with([id], async () => {
    const view = await c.reads.view();
    const images = c.imagesOfDisk(m);
    const l = layoutOf(c.config, c.fs, m, view, "check", images.bases(images.load()));
    const bytes = mib * MiB;
    const current = c.fs.stat(m.cowPath)!.size;
    // A grow queued behind a reset would otherwise grow the freshly cut COW: it grows only the COW
    // its caller saw.
    if (expectSectors !== undefined && current / 512 !== expectSectors) {
      throw new StepError(
        "changed",
        `${m.name}'s COW is ${Math.floor(current / 512)} sectors now, not the ${expectSectors} the grow was asked for (a reset or another grow ran meanwhile): nothing was changed; look again and grow from there`,
      );
    }
    if (bytes <= current) throw new StepError("validate", `new size ${mib} MiB is not larger than the current ${Math.floor(current / MiB)} MiB`);
    if (mib > m.maxCowSizeMiB) throw new StepError("validate", `new size ${mib} MiB is larger than ${m.name}'s maxCowSizeMiB (${m.maxCowSizeMiB} MiB)`);
    ensureSpace(c, m, bytes - current, `growing ${m.name}'s COW to ${mib} MiB`);
    try {
      await check(c.run, allocate(m.cowPath, bytes));
    } catch (e) {
      c.fs.truncate(m.cowPath, current); // fallocate may have extended part way: undo it
      throw new StepError("cow-allocate", `cannot allocate ${mib} MiB for ${m.cowPath}: ${errorText(e)}`);
    }
    await c.setCapacity(l.cow.name);
    // The persistent store re-reads the COW size per exception; status shows the new total at once.
    const total = (await c.reads.status()).get(m.dmName)?.snapshot?.totalSectors;
    if (total !== bytes / 512) throw new StepError("verify", `status shows ${total ?? "no"} total sectors after grow, expected ${bytes / 512}`);
    return { totalSectors: total };
  });
}
