/**
 * The image verbs (`images`, `image-update`, `image-publish`, `image-discard`, `image-current`,
 * `image-delete`): the locks each takes and the report it answers. The host work is images.ts's,
 * the transitions and refusals image-state.ts's.
 */
import type { HostImages } from "../../lib/host/images";
import { StepError, errorText } from "../../lib/host/step-error";
import type { StorageContext } from "./context";
import { currentVersion } from "./image-state";
import type { Images } from "./images";
import { IMAGE_LOCK } from "./locks";

/** A group's line of versions: its system disk's (default) or its game disk's; the first group by default. */
export function linesOf(c: StorageContext, group?: string, disk?: "game"): Images {
  if (group === undefined && disk === undefined) return c.images;
  return c.imagesFor(group ?? c.config.groups[0]!.name, disk ?? "system");
}

export async function imageList(c: StorageContext, group?: string, disk?: "game"): Promise<HostImages> {
  const images = linesOf(c, group, disk);
  return images.report(images.load(), await c.reads.view("optional"));
}

/**
 * Update mode on one PC: the free-space check and the draft recorded (under the image lock and
 * the PC's), the copy (without locks: resets go on meanwhile), then the draft attached read-write
 * and exported to that PC only. A failure on the way leaves no draft behind.
 */
export async function imageUpdate(c: StorageContext, id: number, onStep: (id: number, step: string) => void, disk?: "game"): Promise<HostImages> {
  // The PC's group's system disk, or its game disk (a draft on the game disk's own update target:
  // the PC keeps booting its own system disk and takes the draft as its second drive).
  const images = c.imagesOfDisk(c.disks(id, disk ?? "system")[0]!);
  onStep(id, "image-space");
  const { s, shareOnly } = await c.locks.with([IMAGE_LOCK, id], async () => images.begin(id));
  const d = s.draft!;
  let method: "reflink" | "copy";
  try {
    onStep(id, "image-copy 0%");
    method = await images.copy(s, (pct) => onStep(id, `image-copy ${pct}%`), shareOnly);
  } catch (e) {
    await c.locks.with([IMAGE_LOCK, id], async () => images.abandon(d.n, d.path)).catch(() => undefined);
    throw new StepError("image-copy", `copying v${currentVersion(s).n} to ${d.path} failed: ${errorText(e)}`);
  }
  onStep(id, "image-export");
  return c.locks.with([IMAGE_LOCK, id], async () => {
    try {
      await images.ready(d.n, method);
    } catch (e) {
      // Nothing half done stays: no export, no loop, no file, no draft.
      await images.discard().catch(() => undefined);
      images.abandon(d.n, d.path);
      throw e;
    }
    return images.report(images.load(), await c.reads.view("optional"));
  });
}

/** An image verb under the image lock (and the update PC's, where there is a draft): its report after. */
export async function imageOp(c: StorageContext, images: Images, fn: (images: Images) => Promise<unknown>): Promise<HostImages> {
  // The update PC is read under the locks: a draft begun or ended between a look without them and
  // taking them would leave its PC unlocked. A PC that changed meanwhile: let go, take the new one.
  for (let tries = 0; ; tries++) {
    const guess = images.load().draft?.machine;
    const locked = guess && c.byId.has(guess) ? guess : null;
    const r = await c.locks.with([IMAGE_LOCK, ...(locked ? [locked] : [])], async () => {
      const pc = images.load().draft?.machine;
      if ((pc && c.byId.has(pc) ? pc : null) !== locked) {
        if (tries < 3) return null;
        throw new StepError("lock", "the update PC kept changing while its lock was being taken: try again");
      }
      await fn(images);
      return images.report(images.load(), await c.reads.view("optional"));
    });
    if (r) return r;
  }
}
