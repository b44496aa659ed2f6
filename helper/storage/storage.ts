/**
 * The storage host as root sees it: loop devices, device-mapper snapshots and an iSCSI target.
 * The verbs, each one line over the module of its concern: status.ts (reads only), reset.ts,
 * provisioning.ts (up, down, repair), grow.ts, image-verbs.ts; space.ts for the COW stores. Every
 * mutating verb holds the per-PC locks of the PCs it touches for its whole run; all commands are
 * argv arrays from helper/commands.
 */
import type { DiskKind } from "../../lib/config/schema";
import type { PcResult } from "../../lib/host/protocol";
import type { HostImages } from "../../lib/host/images";
import type { MachineHostStatus, ResetReport, StoreSpace } from "../../lib/host/types";
import type { StorageVerbs } from "../run-verb";
import { StorageContext, type StorageDeps } from "./context";
import { grow } from "./grow";
import { imageList, imageOp, imageUpdate, linesOf } from "./image-verbs";
import { down, repair, up } from "./provisioning";
import { reset } from "./reset";
import { stores } from "./space";
import { readStatus } from "./status";

export class Storage implements StorageVerbs {
  private readonly c: StorageContext;

  constructor(deps: StorageDeps) {
    this.c = new StorageContext(deps);
  }

  /** The per-PC locks (tests hold one to see what a verb does meanwhile). */
  get locks() {
    return this.c.locks;
  }

  /** The image versions (tests watch their pins). */
  get images() {
    return this.c.images;
  }

  status(): Promise<{ machines: MachineHostStatus[]; images?: HostImages; groups?: HostImages[] }> {
    return readStatus(this.c);
  }

  stores(): StoreSpace[] {
    return stores(this.c);
  }

  reset(ids: number[], onStep: (id: number, step: string) => void, opts: { force?: boolean; disk?: DiskKind } = {}): Promise<ResetReport[]> {
    return reset(this.c, ids, onStep, opts);
  }

  up(ids: number[]): Promise<PcResult[]> {
    return up(this.c, ids);
  }

  down(ids: number[]): Promise<PcResult[]> {
    return down(this.c, ids);
  }

  repair(ids: number[]): Promise<PcResult[]> {
    return repair(this.c, ids);
  }

  grow(id: number, mib: number, expectSectors?: number, disk?: DiskKind): Promise<{ totalSectors: number }> {
    return grow(this.c, id, mib, expectSectors, disk);
  }

  imageList(group?: string, disk?: "game"): Promise<HostImages> {
    return imageList(this.c, group, disk);
  }

  imageUpdate(id: number, onStep: (id: number, step: string) => void, disk?: "game"): Promise<HostImages> {
    return imageUpdate(this.c, id, onStep, disk);
  }

  // Each takes a group (default: the first, a room without groups has only it) and a disk (default its system disk).
  async imagePublish(group?: string, disk?: "game"): Promise<HostImages> {
    return imageOp(this.c, linesOf(this.c, group, disk), (i) => i.publish());
  }

  async imageDiscard(group?: string, disk?: "game"): Promise<HostImages> {
    return imageOp(this.c, linesOf(this.c, group, disk), (i) => i.discard());
  }

  async imageCurrent(n: number, group?: string, disk?: "game"): Promise<HostImages> {
    return imageOp(this.c, linesOf(this.c, group, disk), (i) => i.setCurrent(n));
  }

  async imageDelete(n: number, group?: string, disk?: "game"): Promise<HostImages> {
    return imageOp(this.c, linesOf(this.c, group, disk), (i) => i.remove(n));
  }
}
