import { describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config/load";
import { demoConfig } from "@/lib/config/demo";
import { firstPaint, FIRST_PAINT_PCS } from "@/lib/status/machines-view";
import { roomView } from "../helpers/room-view";
import { roomCounts } from "@/lib/client/room-counts";

const MIB = 2048;
function viewOf(pcs: number) {
  const config = parseConfig(demoConfig({ COWHERD_SIM_PCS: String(pcs) }));
  return roomView(config, (m) => ({ state: m.id === 200 ? "invalid" : "ok", usedSectors: (m.id % 190) * MIB, online: m.id % 4 !== 0 }));
}

describe("the dashboard's first paint does not grow with every PC's full detail", () => {
  it("250 PCs: the first PCs in full and the whole room's numbers, about the size of a 40-PC room", () => {
    const full = viewOf(250);
    const first = firstPaint(full);
    expect(first.machines).toHaveLength(FIRST_PAINT_PCS);
    expect(first.partial!.counts).toEqual(roomCounts(full.machines));
    expect(first.partial!.counts).toMatchObject({ pcs: 250, online: 188, conditions: { invalid: 1 } });
    const size = (v: unknown) => JSON.stringify(v).length;
    expect(size(first)).toBeLessThan(size(firstPaint(viewOf(FIRST_PAINT_PCS))) * 1.1);
    expect(size(first)).toBeLessThan(size(full) / 5);
  });

  it("a room that fits is painted whole, as it is", () => {
    const v = viewOf(14);
    expect(firstPaint(v)).toBe(v);
    expect(firstPaint(v).partial).toBeUndefined();
  });
});
