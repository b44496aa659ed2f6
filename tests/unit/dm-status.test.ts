import { describe, expect, it } from "vitest";
import { parseDmStatusAll, parseSnapshotParams } from "@/lib/host/dm-status";

describe("dmsetup status parser", () => {
  it("reads the current kernel's three fields", () => {
    expect(parseDmStatusAll("pc1: 0 131072 snapshot 16/32768 16\n").get("pc1")?.snapshot).toEqual({
      state: "ok",
      usedSectors: 16,
      totalSectors: 32768,
      metadataSectors: 16,
    });
  });

  it("reads the 2010 write-up's two fields", () => {
    expect(parseDmStatusAll("pc1: 0 8385930 snapshot 55296/409600").get("pc1")?.snapshot).toEqual({ state: "ok", usedSectors: 55296, totalSectors: 409600 });
  });

  it.each([
    ["Invalid", "invalid"],
    ["Overflow", "overflow"],
    ["Merge failed", "merge-failed"],
    ["Unknown", "unknown"],
    ["", "unknown"],
    ["12/0", "unknown"],
    ["abc/def", "unknown"],
  ])("maps %j to %s", (params, state) => {
    expect(parseSnapshotParams(params).state).toBe(state);
    expect(parseSnapshotParams(params).usedSectors).toBeUndefined();
  });

  it("reads every device of a multi-device listing, with name prefixes", () => {
    const out = [
      "retrocow1: 0 131072 snapshot 2072/32768 24",
      "retrocow2: 0 131072 snapshot Invalid",
      "retrocow3: 0 131072 snapshot Overflow",
      "retrocow4: 0 8385930 snapshot 55296/409600",
      "other: 0 2048 linear ",
      "retrocow5: 0 131072 error ",
      "",
    ].join("\n");
    const all = parseDmStatusAll(out);
    expect(all.get("retrocow1")?.snapshot).toEqual({ state: "ok", usedSectors: 2072, totalSectors: 32768, metadataSectors: 24 });
    expect(all.get("retrocow2")?.snapshot?.state).toBe("invalid");
    expect(all.get("retrocow3")?.snapshot?.state).toBe("overflow");
    expect(all.get("retrocow4")?.snapshot).toEqual({ state: "ok", usedSectors: 55296, totalSectors: 409600 });
    expect(all.get("other")).toEqual({ target: "linear" });
    expect(all.get("retrocow5")).toEqual({ target: "error" });
    expect(all.has("retrocow6")).toBe(false);
  });

  it("treats 'No devices found' as an empty host", () => {
    expect(parseDmStatusAll("No devices found\n").size).toBe(0);
  });
});
