import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRuntime, type Runtime } from "@/lib/runtime";
import type { DemoHost as SimHost } from "@/lib/host/sim/demo-host";
import { adoptPcs, readRoomFile } from "@/lib/host/sim/sim-state";
import type { Machine } from "@/lib/config/schema";

let dir = "";
const open: Runtime[] = [];
afterEach(() => {
  open.splice(0).forEach((rt) => rt.close());
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const rt = await createRuntime(
    { COWHERD_DATA_DIR: dir, COWHERD_ADMIN_PASSWORD: "x".repeat(12), COWHERD_SIM_ACTIVITY: "0", COWHERD_SIM_STEP_MS: "0", ...env },
    (l) => lines.push(l),
  );
  open.push(rt);
  return { rt, sim: rt.room.hosts()[0] as SimHost, lines };
}

function stop(rt: Runtime) {
  open.splice(open.indexOf(rt), 1);
  rt.close();
}

/** The 14-PC demo room with PC 3 dead, PC 4 marked for a reset at next boot, PC 5 reset a moment ago. */
async function usedRoom() {
  const { rt, sim } = await start();
  sim.setMachine(3, { health: "invalid" });
  rt.boots.setPending(4, "admin", Date.now());
  const job = await rt.orchestrator.wait(rt.orchestrator.submit([5], { source: "dashboard", requestedBy: "admin" }).id);
  expect(job.machines[0]!.ok).toBe(true);
  stop(rt);
}

describe("a PC's state belongs to the PC (name and address), not to its id", () => {
  it("COWHERD_SIM_PCS=250 on a 14-PC data dir: the new PCs start clean, and the start says what was kept and dropped", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "cowherd-room-"));
    await usedRoom();
    const { rt, lines } = await start({ COWHERD_SIM_PCS: "250" });
    const view = await rt.machinesView();
    const pc = (id: number) => view.machines.find((m) => m.id === id)!;
    expect(pc(3)).toMatchObject({ name: "retro-003", state: "ok" });
    expect(pc(4).pendingReset).toBeNull();
    expect(rt.boots.pending().size).toBe(0);
    expect(pc(5)).toMatchObject({ lastResetAt: null, lastReset: null });
    expect(lines.join("\n")).toMatch(
      /simulated host local: the room changed: kept the state of 0 PC\(s\); dropped 14: retro-01 127\.0\.0\.41 \(id 1 is now retro-001 127\.0\.1\.1\)/,
    );
    expect(lines.join("\n")).toMatch(
      /the room changed since this data dir was last used: 0 PC\(s\) kept their history, 14 id\(s\) now name another PC .*dropped their 1 pending reset/,
    );
  });

  it("a data dir from before rooms were recorded: a pending mark made under another name is dropped", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "cowherd-room-"));
    const { rt } = await start();
    await rt.orchestrator.wait(rt.orchestrator.submit([5], { source: "dashboard", requestedBy: "admin" }).id);
    // Marked after that reset (a fresh reset clears a mark made before it): retro-05's name is on record.
    rt.boots.setPending(5, "admin", Date.now());
    rt.boots.setPending(6, "admin", Date.now()); // retro-06 never was reset: nothing says whose mark it is
    stop(rt);
    rmSync(path.join(dir, "room.json"));
    const again = await start({ COWHERD_SIM_PCS: "250" });
    expect([...again.rt.boots.pending().keys()]).toEqual([6]);
    expect(again.lines.join("\n")).toMatch(/5: retro-05 → retro-005 127\.0\.1\.5.*dropped their 1 pending reset/);
  });

  it("the same room again keeps everything (dead snapshot, pending mark, last reset) and says nothing", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "cowherd-room-"));
    await usedRoom();
    const { rt, lines } = await start();
    const view = await rt.machinesView();
    expect(view.machines[2]!.state).toBe("invalid");
    expect(view.machines[3]!.pendingReset).not.toBeNull();
    expect(view.machines[4]!.lastResetAt).not.toBeNull();
    expect(lines.filter((l) => /room changed/.test(l))).toEqual([]);
  });

  it("the stored PCs are kept when they are the same PC (name, address, device), taken down otherwise", () => {
    const pc = (id: number, name: string, ip: string) => ({ id, name, ip, dmName: `retrocow${id}`, cowPath: `/store/retrocow${id}.cow` }) as Machine;
    const r = adoptPcs([pc(1, "a", "10.0.0.1"), pc(2, "b", "10.0.0.2"), pc(3, "x", "10.0.0.9")], [pc(1, "a", "10.0.0.1"), pc(2, "c", "10.0.0.3")]);
    expect(r.kept.map((m) => m.name)).toEqual(["a"]);
    expect(r.dropped.map((d) => [d.was.name, d.now?.name ?? null])).toEqual([
      ["b", "c"],
      ["x", null],
    ]);
  });

  it("a state file from before the simulated kernel is not read: the room is made afresh", () => {
    dir = mkdtempSync(path.join(tmpdir(), "cowherd-room-"));
    const file = path.join(dir, "sim-state.json");
    writeFileSync(file, JSON.stringify({ version: 1, advancedAt: 1, machines: { "1": { health: "invalid" } } }));
    expect(readRoomFile(file)).toBeNull();
  });

  it("a room started over such a file says it is made afresh, and is the demo room", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "cowherd-room-"));
    writeFileSync(path.join(dir, "sim-state.json"), JSON.stringify({ version: 1, advancedAt: 1, machines: { "3": { health: "invalid" } } }));
    const { rt, lines } = await start();
    expect(lines.join("\n")).toMatch(/sim-state\.json is not a simulated kernel's state \(one from an older Cowherd\?\): the room is made afresh/);
    expect((await rt.machinesView()).machines[2]!.state).toBe("ok");
  });
});
