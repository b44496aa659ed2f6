import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DmSupervisor, DmWorker } from "@/helper/storage/dm-worker";

// A stand-in for dm-worker.pl speaking its protocol: every request logged, "ok" to all but a lock
// named in BUSY ("busy") and a "load … hang" (never answered).
const STAND_IN = `
const fs = require("node:fs");
const busy = new Set((process.env.BUSY || "").split(",").filter(Boolean));
let buf = "", batch = 0;
const answer = (line) => {
  fs.appendFileSync(process.env.LOG, line + "\\n");
  if (/ hang$/.test(line)) return;
  process.stdout.write((line.startsWith("lock ") && busy.has(line.slice(5)) ? "busy" : "ok") + "\\n");
};
process.stdin.on("data", (c) => {
  buf += c;
  let i;
  while ((i = buf.indexOf("\\n")) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const m = /^batch (\\d+)$/.exec(line);
    if (m) batch = Number(m[1]);
    else { if (batch) batch--; answer(line); }
  }
});
process.stdin.on("end", () => process.exit(0));
`;

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function supervised(busyOnStart: Record<number, string> = {}) {
  dir = mkdtempSync(path.join(tmpdir(), "cowherd-dm-"));
  const workers: DmWorker[] = [];
  const sup = new DmSupervisor(() => {
    const n = workers.length + 1;
    const w = new DmWorker({ LOG: path.join(dir, `w${n}.log`), BUSY: busyOnStart[n] ?? "", PATH: process.env.PATH ?? "" }, [process.execPath, "-e", STAND_IN]);
    workers.push(w);
    return w;
  });
  const log = (n: number) =>
    readFileSync(path.join(dir, `w${n}.log`), "utf8")
      .trim()
      .split("\n");
  const kill = async (n: number) => {
    process.kill(workers[n - 1]!.pid!, "SIGKILL");
    while (!workers[n - 1]!.exited) await new Promise((r) => setTimeout(r, 10));
  };
  return { sup, workers, log, kill };
}

describe("a dead dm worker does not stay dead (issue 16 item 4)", () => {
  it("after a kill the next request starts a new worker, which first takes again every lock still held", async () => {
    const { sup, log, kill } = supervised();
    expect(await sup.lock("/run/cowherd/pc-1.lock")).toBe(true);
    expect(await sup.lock("/run/cowherd/pc-2.lock")).toBe(true);
    await sup.unlock("/run/cowherd/pc-2.lock");
    await kill(1);
    expect(await sup.resume(["retrocow1"])).toEqual(new Map());
    expect(sup.starts).toBe(2);
    expect(log(2)).toEqual(["lock /run/cowherd/pc-1.lock", "resume retrocow1"]);
    sup.close();
  });

  it("a request in flight when the worker dies fails with why; the next one works", async () => {
    const { sup, kill } = supervised();
    const inFlight = sup.load([{ name: "retrocow1", table: "0 8 linear hang" }]).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 200));
    await kill(1);
    expect(String(await inFlight)).toMatch(/dm worker exited \(SIGKILL\)/);
    expect(await sup.wipe([{ name: "retrocow1", sectors: 8 }])).toEqual(new Map());
    expect(sup.starts).toBe(2);
    sup.close();
  });

  it("a lock another process took while the worker was down is reported lost once, then forgotten", async () => {
    const { sup, kill } = supervised({ 2: "/run/cowherd/pc-1.lock" });
    expect(await sup.lock("/run/cowherd/pc-1.lock")).toBe(true);
    await kill(1);
    await expect(sup.resume(["retrocow1"])).rejects.toThrow(/pc-1\.lock had been taken by another process/);
    expect(await sup.resume(["retrocow1"])).toEqual(new Map());
    expect(sup.starts).toBe(2);
    sup.close();
  });
});
