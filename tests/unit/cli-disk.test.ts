import { describe, expect, it } from "vitest";
import { takeDisk, takeValue } from "@/lib/cli/flags";
import { historyLines, listEntry, listLines } from "@/lib/cli/room-lines";
import type { ResetRow } from "@/lib/db/history";
import type { MachineView } from "@/lib/status/machines-view";

describe("the shell tool's --disk", () => {
  it("reset takes --disk system|game anywhere, once; anything else is the usage (null)", () => {
    const reset = ["system", "game"] as const;
    expect(takeDisk(["--disk", "game", "3", "4"], reset)).toEqual({ disk: "game", rest: ["3", "4"] });
    expect(takeDisk(["--force", "3", "--disk", "system"], reset)).toEqual({ disk: "system", rest: ["--force", "3"] });
    expect(takeDisk(["3"], reset)).toEqual({ disk: undefined, rest: ["3"] });
    expect(takeDisk(["--disk", "both", "3"], reset)).toBeNull();
    expect(takeDisk(["3", "--disk"], reset)).toBeNull();
    expect(takeDisk(["--disk", "--force", "3"], reset)).toBeNull();
    expect(takeDisk(["--disk", "game", "3", "--disk", "game"], reset)).toBeNull();
    // The image commands take only "game" (absent: the system disk's versions).
    expect(takeDisk(["--disk", "system"], ["game"] as const)).toBeNull();
    expect(takeValue(["a", "--x", "1"], "--x")).toEqual({ value: "1", rest: ["a"] });
  });
});

const pc = (id: number, percent: number | null, game: { percent: number | null; condition: MachineView["condition"] } | null) =>
  ({
    id,
    name: `retro-0${id}`,
    ip: `10.0.0.${id}`,
    condition: "normal",
    percent,
    online: false,
    pendingReset: null,
    kept: null,
    game,
  }) as unknown as MachineView;

describe("list with game disks", () => {
  it("adds a games column with each game disk's usage (– for a PC without one); a room without game disks keeps its columns", () => {
    const lines = listLines([pc(1, 12.5, { percent: 40, condition: "normal" }), pc(2, 3, null)].map(listEntry));
    expect(lines[0]).toMatch(/^\s*id\s+name\s+ip\s+state\s+used\s+games\s+online\s+marks$/);
    expect(lines[1]).toMatch(/^\s*1\s+retro-01\s+10\.0\.0\.1\s+normal\s+12\.5%\s+40\.0%\s+offline$/);
    expect(lines[2]).toMatch(/^\s*2\s+retro-02\s+10\.0\.0\.2\s+normal\s+3\.0%\s+–\s+offline$/);
    expect(listEntry(pc(1, 12.5, { percent: 40, condition: "warn" })).game).toEqual({ percent: 40, state: "warn" });
    expect(listLines([pc(2, 3, null)].map(listEntry))[0]).toMatch(/^\s*id\s+name\s+ip\s+state\s+used\s+online\s+marks$/);
  });

  it("history says a reset of one disk", () => {
    const row = { startedAt: 0, machineName: "retro-01", source: "cli", requestedBy: "admin", durationMs: 1000, result: "ok", outcome: "reset", disk: "game" };
    const lines = historyLines([row as unknown as ResetRow, { ...row, disk: null } as unknown as ResetRow]);
    expect(lines[1]).toMatch(/ok \(reset\) \[game disk only\]$/);
    expect(lines[2]).toMatch(/ok \(reset\)$/);
  });
});
