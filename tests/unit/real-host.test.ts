import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config/load";
import { RealHost } from "@/lib/host/real-host";

let dir: string;
let log: string;

/** A stand-in for sudo that records its argv and environment, then runs the "helper" script. */
function setup(helperBody: string, timeoutMs = 5000) {
  dir = mkdtempSync(path.join(tmpdir(), "realhost-"));
  log = path.join(dir, "calls.log");
  const sudo = path.join(dir, "sudo");
  writeFileSync(sudo, `#!/bin/sh\necho "$* | PATH=$PATH | SECRET=\${COWHERD_SECRET:-unset}" >> ${log}\nshift\nexec "$@"\n`);
  chmodSync(sudo, 0o755);
  const helper = path.join(dir, "helper");
  writeFileSync(helper, `#!${process.execPath}\n${helperBody}\n`);
  chmodSync(helper, 0o755);
  const config = parseConfig({
    host: "real",
    machines: [{ id: 3, name: "pc3", ip: "10.0.0.43", dmName: "retrocow3" }],
    helper: { sudo, path: helper, timeoutMs },
  });
  return new RealHost(config);
}

beforeEach(() => {
  process.env.COWHERD_SECRET = "do-not-leak";
});

describe("RealHost runs the helper through sudo -n", () => {
  it("passes only the verb and the id, with a minimal environment", async () => {
    const host = setup(`
      const [verb, id] = process.argv.slice(2);
      process.stderr.write(JSON.stringify({ event: "step", id: 3, step: "dm-remove" }) + "\\n");
      console.log(JSON.stringify({ ok: true, verb, reports: [{ id: Number(id), ok: true, steps: [], recovery: [], outcome: "fresh" }] }));`);
    const steps: string[] = [];
    const r = await host.reset(3, (s) => steps.push(s));
    expect(r).toMatchObject({ id: 3, ok: true, outcome: "fresh" });
    expect(steps).toEqual(["dm-remove"]);
    const call = readFileSync(log, "utf8").trim();
    expect(call).toBe(`-n ${path.join(dir, "helper")} reset 3 | PATH=/usr/sbin:/usr/bin:/sbin:/bin | SECRET=unset`);
  });

  it("resets several PCs in one helper call and routes each step event to its PC", async () => {
    const host = setup(`
      const ids = process.argv.slice(3).map(Number);
      for (const id of ids) process.stderr.write(JSON.stringify({ event: "step", id, step: "dm-create" }) + "\\n");
      console.log(JSON.stringify({ ok: false, verb: "reset", reports: ids.map((id) => ({ id, ok: id !== 4, ...(id === 4 ? { failedStep: "dm-remove", error: "busy" } : {}), steps: [], recovery: [], outcome: id === 4 ? "kept-old" : "fresh" })) }));
      process.exit(1);`);
    const seen: string[] = [];
    const reports = await host.resetMany([3, 4], (id, step) => seen.push(`${id}:${step}`));
    expect(reports.map((r) => [r.id, r.ok, r.failedStep])).toEqual([[3, true, undefined], [4, false, "dm-remove"]]);
    expect(seen.sort()).toEqual(["3:dm-create", "4:dm-create"]);
    expect(readFileSync(log, "utf8")).toContain(" reset 3 4 |");
  });

  it("maps a structured helper error to a HostError with its step", async () => {
    const host = setup(`console.log(JSON.stringify({ ok: false, error: { code: "host", message: "tgtadm: not connected", step: "lun-offline" } })); process.exit(4);`);
    await expect(host.status()).rejects.toMatchObject({ name: "HostError", message: "tgtadm: not connected", step: "lun-offline" });
  });

  it("reports sudo refusing (no JSON) with sudo's words", async () => {
    const host = setup(`process.stderr.write("sudo: a password is required\\n"); process.exit(1);`);
    await expect(host.status()).rejects.toMatchObject({ step: "helper", message: expect.stringContaining("a password is required") });
  });

  it("times out a hung helper", async () => {
    const host = setup(`setTimeout(() => {}, 60000);`, 1000);
    await expect(host.status()).rejects.toMatchObject({ step: "helper-timeout" });
  });

  it("refuses a non-integer id without running anything", async () => {
    const host = setup(`console.log("{}")`);
    await expect(host.reset(Number.NaN)).rejects.toMatchObject({ step: "validate" });
  });
});
