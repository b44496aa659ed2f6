import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRuntime, type Runtime } from "@/lib/runtime";
import type { SimHost } from "@/lib/host/sim/sim-host";
import { adoptState } from "@/lib/host/sim/sim-state";

let dir = "";
const open: Runtime[] = [];
afterEach(() => {
  open.splice(0).forEach((rt) => rt.close());
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const rt = await createRuntime({ COWHERD_DATA_DIR: dir, COWHERD_ADMIN_PASSWORD: "x".repeat(12), COWHERD_SIM_ACTIVITY: "0", COWHERD_SIM_STEP_MS: "0", ...env }, (l) => lines.push(l));
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
    expect(lines.join("\n")).toMatch(/simulated host local: the room changed: kept the state of 0 PC\(s\); dropped 14: retro-01 127\.0\.0\.41 \(id 1 is now retro-001 127\.0\.1\.1\)/);
    expect(lines.join("\n")).toMatch(/the room changed since this data dir was last used: 0 PC\(s\) kept their history, 14 id\(s\) now name another PC .*dropped their 1 pending reset/);
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

  it("a state file from before identities: kept for the same ids, dropped for another room", () => {
    const old = () => ({ "1": { health: "invalid" }, "2": { health: "ok" } }) as never as Parameters<typeof adoptState>[0];
    const same = old();
    expect(adoptState(same, [{ id: 1, name: "a", ip: "10.0.0.1" }, { id: 2, name: "b", ip: "10.0.0.2" }])).toEqual({ kept: ["a", "b"], dropped: [] });
    expect(same["1"]!.pc).toBe("a 10.0.0.1");
    const other = old();
    const r = adoptState(other, [1, 2, 3].map((id) => ({ id, name: `n${id}`, ip: `10.0.1.${id}` })));
    expect(r.kept).toEqual([]);
    expect(Object.keys(other)).toEqual([]);
  });
});
