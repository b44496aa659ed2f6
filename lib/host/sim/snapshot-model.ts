/**
 * A persistent dm-snapshot exception store, counted the way drivers/md/dm-snap-persistent.c
 * counts it: chunk 0 is the header, chunk 1 the first metadata area, and every
 * (chunk_size * 512 / 16) data chunks another metadata area is interleaved. Status reports
 * used = next_free * chunk, total = COW device size, metadata = (current_area + 2) * chunk.
 * A fresh 16 MiB COW with 8-sector chunks therefore reads "16/32768 16".
 */

export interface SnapshotGeometry {
  cowSectors: number;
  chunkSectors: number;
}

export function exceptionsPerArea(chunkSectors: number): number {
  return (chunkSectors * 512) / 16;
}

export function nextFreeChunk(exceptions: number, chunkSectors: number): number {
  return 2 + exceptions + Math.floor(exceptions / exceptionsPerArea(chunkSectors));
}

export function usage(exceptions: number, g: SnapshotGeometry) {
  return {
    usedSectors: nextFreeChunk(exceptions, g.chunkSectors) * g.chunkSectors,
    totalSectors: g.cowSectors,
    metadataSectors: (Math.floor(exceptions / exceptionsPerArea(g.chunkSectors)) + 2) * g.chunkSectors,
  };
}

/** The kernel refuses a new exception when the chunk after next_free would not fit. */
export function canAllocate(exceptions: number, g: SnapshotGeometry): boolean {
  return (nextFreeChunk(exceptions, g.chunkSectors) + 1) * g.chunkSectors <= g.cowSectors;
}

/** The largest exception count the COW can hold. */
export function capacity(g: SnapshotGeometry): number {
  let lo = 0;
  let hi = Math.ceil(g.cowSectors / g.chunkSectors);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (canAllocate(mid - 1, g)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Exception count whose usage is closest to the given fraction of the COW. */
export function exceptionsForFraction(fraction: number, g: SnapshotGeometry): number {
  const target = fraction * g.cowSectors;
  const perArea = exceptionsPerArea(g.chunkSectors);
  const e = Math.max(0, Math.round((target / g.chunkSectors - 2) * (perArea / (perArea + 1))));
  return Math.min(e, capacity(g));
}
