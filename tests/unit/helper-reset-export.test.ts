import { describe, expect, it } from "vitest";
import { runHelper } from "@/helper/run-helper";
import { HELPER_EXIT } from "@/lib/host/protocol";
import { helperIo as io, storageOnKernel, twoPcConfig } from "../helpers/storage-on-kernel";

const config = twoPcConfig;

async function setUp() {
  const { fake, host } = storageOnKernel(config);
  expect((await host.up([1, 2])).every((r) => r.ok)).toBe(true);
  fake.calls = [];
  return { fake, host };
}

describe("a reset reports success only for a PC that is exported at its end (issue 16 item 9)", () => {
  it("tgtd down: the disk is reset (the target is never touched), but the report fails at export, saying why and what to do", async () => {
    const { fake, host } = await setUp();
    fake.tgtdDown = true;
    const [r] = await host.reset([1], () => undefined);
    expect(r).toMatchObject({ id: 1, ok: false, failedStep: "export", outcome: "fresh", recovery: [] });
    expect(r!.error).toMatch(
      /^the iSCSI target does not answer \(.*Transport endpoint is not connected.*\): pc1's disk was reset, but no initiator can reach it; start it \(systemctl start tgt\), then 'cowherd-helper repair' exports it again$/,
    );
    // The five steps ran and the header was zeroed: the disk is fresh.
    expect(r!.steps.map((s) => [s.step, s.ok])).toEqual([
      ["check", true],
      ["dm-error", true],
      ["cow-zero", true],
      ["dm-load", true],
      ["dm-resume", true],
      ["export", false],
    ]);
    expect(fake.mutations()).toContain("zero-header /store/retrocow1.cow");
    // Once the daemon is back (its exports gone, as after a restart), repair exports the PC again.
    fake.tgtdDown = false;
    fake.targets.clear();
    expect((await host.repair([1])).find((x) => x.id === 1)).toMatchObject({ ok: true, actions: ["target-created", "lun-online", "lun-identity"] });
    expect((await host.status()).machines.find((m) => m.id === 1)).toMatchObject({ exported: true });
  });

  it("as a one-shot verb: exit code 'failed' and ok false, never 0", async () => {
    const { fake } = await setUp();
    fake.tgtdDown = true;
    const { code, output } = await runHelper(["reset", "1"], io(fake));
    expect(code).toBe(HELPER_EXIT.failed);
    expect(output).toMatchObject({ ok: false, verb: "reset", reports: [{ id: 1, ok: false, failedStep: "export", outcome: "fresh" }] });
  });

  it("target readable but the PC's export cannot be made (its target gone, tgtadm refusing): that PC fails at export, the other is ok", async () => {
    const { fake, host } = await setUp();
    fake.targets.delete(1);
    fake.failWhen.push((argv) => (/tgtadm .*--op new --mode target --tid 1 /.test(argv) ? "tgtadm: this target already exists" : null));
    const [r1, r2] = await host.reset([1, 2], () => undefined);
    expect(r1).toMatchObject({ id: 1, ok: false, failedStep: "export", outcome: "fresh" });
    expect(r1!.error).toMatch(/^pc1's disk was reset, but it is not exported \(no initiator can log in to it\): 'cowherd-helper repair' exports it again/);
    expect(r2).toMatchObject({ id: 2, ok: true, outcome: "fresh" });
  });

  it("a PC refused as online keeps its refusal (nothing was done), whatever the target says", async () => {
    const { fake, host } = await setUp();
    fake.targets.get(1)!.initiators = [{ iqn: "iqn.1991-05.com.microsoft:pc1", ip: "10.0.0.41" }];
    const [r] = await host.reset([1], () => undefined);
    expect(r).toMatchObject({ ok: false, failedStep: "online", outcome: "kept-old" });
  });
});
