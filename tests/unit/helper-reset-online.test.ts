import { afterEach, describe, expect, it } from "vitest";
import { runHelper } from "@/helper/run-helper";
import { HELPER_EXIT } from "@/lib/host/protocol";
import { helperIo as io, storageOnKernel, twoPcConfig } from "../helpers/storage-on-kernel";
import { testRuntime } from "../helpers/runtime";

const config = twoPcConfig;

async function hostWithSession() {
  const { fake, host } = storageOnKernel(config);
  await host.up([1, 2]);
  fake.targets.get(1)!.initiators = [{ iqn: "iqn.1991-05.com.microsoft:pc1", ip: "10.0.0.41" }];
  fake.calls = [];
  return { fake, host };
}

describe("the helper refuses to reset a PC whose iSCSI session is open, unless forced (issue 16 item 10)", () => {
  it("refuses the running PC (failedStep online, nothing touched) and resets the others of the same request", async () => {
    const { fake, host } = await hostWithSession();
    const [r1, r2] = await host.reset([1, 2], () => undefined);
    expect(r1).toMatchObject({ id: 1, ok: false, failedStep: "online", outcome: "kept-old", steps: [] });
    expect(r1!.error).toMatch(/pc1 has an open iSCSI session \(from 10\.0\.0\.41\).*reset --force/);
    expect(r2).toMatchObject({ id: 2, ok: true, outcome: "fresh" });
    expect(fake.mutations().filter((c) => c.includes("retrocow1"))).toEqual([]);
  });

  it("one-shot: exit 1 with the refusal in the report; `reset --force` resets it; --force anywhere else is bad input", async () => {
    const { fake } = await hostWithSession();
    const refused = await runHelper(["reset", "1"], io(fake));
    expect(refused.code).toBe(HELPER_EXIT.failed);
    expect(refused.output).toMatchObject({ ok: false, verb: "reset", reports: [{ id: 1, failedStep: "online" }] });
    const forced = await runHelper(["reset", "--force", "1"], io(fake));
    expect(forced.code).toBe(HELPER_EXIT.ok);
    expect(forced.output).toMatchObject({ ok: true, reports: [{ id: 1, outcome: "fresh" }] });
    for (const bad of [
      ["reset", "1", "--force"],
      ["reset", "--force"],
      ["reset", "--force", "--force", "1"],
      ["down", "--force", "1"],
    ]) {
      fake.calls = [];
      expect((await runHelper(bad, io(fake))).code).toBe(HELPER_EXIT.usage);
      expect(fake.calls).toEqual([]);
    }
  });
});

describe("the app passes force only when the admin forced it or the PC's own boot asked; the simulator keeps the same rule", () => {
  let cleanup: () => void = () => {};
  afterEach(() => cleanup());

  it("a dashboard reset of a PC online on the host is refused there; forced, or from its boot script, it runs", async () => {
    const ctx = await testRuntime();
    cleanup = ctx.cleanup;
    ctx.sim.setMachine(3, { online: true });
    const run = async (req: { source: "dashboard" | "boot" | "legacy"; force?: boolean }) =>
      (await ctx.rt.orchestrator.wait(ctx.rt.orchestrator.submit([3], { requestedBy: "admin", ...req }).id)).machines[0]!;
    expect(await run({ source: "dashboard" })).toMatchObject({ ok: false, failedStep: "online", outcome: "kept-old" });
    expect(await run({ source: "dashboard", force: true })).toMatchObject({ ok: true, outcome: "fresh" });
    expect(await run({ source: "boot" })).toMatchObject({ ok: true });
    expect(await run({ source: "legacy" })).toMatchObject({ ok: true });
  });
});
