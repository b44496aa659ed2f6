import type { DiskKind } from "../../lib/config/schema";

/**
 * The SCSI identity a disk shows its initiator: vendor, product, device id (VPD page 0x83) and unit
 * serial (VPD page 0x80). Windows keys a disk on these and takes a changed serial for a new disk (a
 * device to install again, a boot that may fail).
 *
 * There is ONE identity per disk, not one per PC: every PC boots the same master image, and the
 * Windows in it last ran in update mode on the update target's disk. After a reset a PC runs exactly
 * that Windows, so its disk must show the very identity that Windows last saw, or Windows meets a
 * "new" disk at every fresh boot. So the system disk shows the same identity on every PC and on the
 * update target, across resets, image versions, a restart of the target and every storage host, and
 * nothing in it comes from a PC, a room name or a tid. A shared serial never collides: each PC logs
 * in to its own target only. tgt's defaults carry the tid ("beaf<tid><lun>", "IET     <tid><lun>"),
 * which differ between PCs and the update target.
 *
 * A later disk (a game disk) gets its own kind below, with its own serial, the same everywhere too.
 */
export interface ScsiIdentity {
  /** INQUIRY vendor: 8 characters at most. */
  vendor: string;
  /** INQUIRY product: 16 characters at most. */
  product: string;
  /** The device identification (tgt's scsi_id, IET's ScsiId): 24 characters at most (IET's limit). */
  deviceId: string;
  /** The unit serial (scsi_sn, ScsiSN, LIO's vpd_unit_serial): 8 characters at most, the smallest any target accepts. */
  serial: string;
}

export const SCSI_LIMITS = { vendor: 8, product: 16, deviceId: 24, serial: 8 } as const;

/** Characters every target takes and no argv or --params list treats specially (no ',' '=' or space). */
export const SCSI_CHARS = /^[A-Z0-9-]+$/;

export const VENDOR = "COWHERD";

export type { DiskKind };

/** Each kind of disk has one identity for good (changing one is a new disk to every Windows). */
const IDENTITIES: Record<DiskKind, ScsiIdentity> = {
  system: { vendor: VENDOR, product: "SYSTEM-DISK", deviceId: `${VENDOR}-SYSTEM`, serial: "CWHSYS1" },
  game: { vendor: VENDOR, product: "GAME-DISK", deviceId: `${VENDOR}-GAME`, serial: "CWHGAM1" },
};

/** The fields fit every target's limits and characters: a bad one would be cut or refused on some target. */
export function checkIdentity(x: ScsiIdentity): ScsiIdentity {
  for (const k of ["vendor", "product", "deviceId", "serial"] as const) {
    if (!SCSI_CHARS.test(x[k]) || x[k].length > SCSI_LIMITS[k])
      throw new RangeError(`SCSI ${k} "${x[k]}": at most ${SCSI_LIMITS[k]} characters of A-Z, 0-9 and '-'`);
  }
  return x;
}

/** The identity of a `kind` disk: the same on every PC and on the update target. */
export function diskIdentity(kind: DiskKind): ScsiIdentity {
  const x = Object.hasOwn(IDENTITIES, kind) ? IDENTITIES[kind] : undefined;
  if (!x) throw new RangeError(`no SCSI identity for a "${String(kind)}" disk (known: ${Object.keys(IDENTITIES).join(", ")})`);
  return { ...checkIdentity(x) };
}
