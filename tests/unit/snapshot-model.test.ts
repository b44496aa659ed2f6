import { describe, expect, it } from "vitest";
import { canAllocate, capacity, exceptionsForFraction, usage } from "@/lib/host/sim/snapshot-model";

const g16 = { cowSectors: 32768, chunkSectors: 8 };

describe("simulated exception store counts like the kernel", () => {
  it("fresh 16 MiB COW with 4 KiB chunks reads 16/32768 16", () => {
    expect(usage(0, g16)).toEqual({ usedSectors: 16, totalSectors: 32768, metadataSectors: 16 });
  });

  it("after a 1 MiB write reads 2072/32768 24 (seen on a 6.1 kernel)", () => {
    expect(usage(256, g16)).toEqual({ usedSectors: 2072, totalSectors: 32768, metadataSectors: 24 });
  });

  it("refuses the exception that would not fit, and capacity is the last one that does", () => {
    const cap = capacity(g16);
    expect(canAllocate(cap - 1, g16)).toBe(true);
    expect(canAllocate(cap, g16)).toBe(false);
    expect(usage(cap, g16).usedSectors).toBeLessThanOrEqual(32768);
  });

  it("exceptionsForFraction lands near the requested usage", () => {
    const g = { cowSectors: 409600, chunkSectors: 64 };
    const u = usage(exceptionsForFraction(0.8, g), g);
    expect(u.usedSectors / u.totalSectors).toBeCloseTo(0.8, 2);
  });
});
