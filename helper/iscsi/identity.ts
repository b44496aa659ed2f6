/**
 * The SCSI identity a PC's disk shows its initiator: vendor, product, device id (VPD page 0x83) and
 * unit serial (VPD page 0x80). Windows keys a disk on these and treats a changed one as another
 * disk (a new device to install, a boot that fails), so they come from the PC's number alone: the
 * same across resets, image versions, a restart of the target and every storage host, and never
 * from the room's name, which an admin may change. tgt's own defaults carry the target's tid
 * ("beaf<tid><lun>", "IET     <tid><lun>"), which a move to another host or target need not keep.
 */
import { MACHINE_ID_MAX } from "../../lib/constants";

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
export const PRODUCT = "SYSTEM-DISK";

/** The identity of PC `id`'s system disk. */
export function diskIdentity(id: number): ScsiIdentity {
  if (!Number.isSafeInteger(id) || id < 1 || id > MACHINE_ID_MAX)
    throw new RangeError(`no SCSI identity for machine ${id}: not a PC number (1-${MACHINE_ID_MAX})`);
  const serial = `CWH${String(id).padStart(4, "0")}`;
  return { vendor: VENDOR, product: PRODUCT, deviceId: `${VENDOR}-${serial}`, serial };
}
