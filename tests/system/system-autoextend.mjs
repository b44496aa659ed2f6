// @ts-check
// Online auto-extend on a real kernel, through the web app's real host path: PCs writing
// continuously over iSCSI while the app grows their COWs (fallocate + losetup --set-capacity, no
// reload), one on a store with room, one on a store whose reserve stops the growth.
import { spawn } from "node:child_process";
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, statfsSync, statSync, writeFileSync, writeSync } from "node:fs";
import { check } from "./checks.mjs";
import { apiSession, compareWithMaster, helper, lunUrl, sh, sleep, startApp, writeConfig, MASTER, envOf } from "./guest-lib.mjs";

/** @typedef {import("./guest-lib.mjs").Row} Row */

const MiB = 1048576;
const RESERVE_MIB = 32;
const ROOMY = "/store/roomy";
const TIGHT = "/store/tight";
/** @typedef {{ id: 7 | 8, name: string, ip: string, dmName: string, cowSizeMiB: number, maxCowSizeMiB: number, cowPath: string }} Pc */
/** @type {[Pc, Pc]} */
const PCS = [
  // 24 MiB COWs that may grow to 96 MiB; the roomy store has space for that, the tight one (76 MiB) for one growth only.
  { id: 7, name: "grower", ip: "127.0.0.47", dmName: "retrocow7", cowSizeMiB: 24, maxCowSizeMiB: 96, cowPath: `${ROOMY}/retrocow7.cow` },
  { id: 8, name: "squeezed", ip: "127.0.0.48", dmName: "retrocow8", cowSizeMiB: 24, maxCowSizeMiB: 96, cowPath: `${TIGHT}/retrocow8.cow` },
];
const freeMiB = (/** @type {string} */ dir) => {
  const s = statfsSync(dir);
  return (s.bfree * s.bsize) / MiB;
};

/** A PC writing `mib` MiB of new data, 1 MiB at a time with a pause after each (a game installing). */
/**
 * @param {string} dm
 * @param {number} mib
 * @param {string} pattern
 * @param {number} pauseMs
 * @returns {{ done: Promise<{ code: number | null, out: string }>, running: () => boolean }}
 */
function writer(dm, mib, pattern, pauseMs) {
  const cmds = [];
  for (let i = 0; i < mib; i++) cmds.push("-c", `write -P ${pattern} ${i}M 1M`, "-c", `sleep ${pauseMs}`);
  const child = spawn("/usr/bin/qemu-io", ["-f", "raw", ...cmds, lunUrl(dm)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: envOf({ PATH: "/usr/bin:/usr/sbin" }),
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  return { done: new Promise((r) => child.once("exit", (code) => r({ code, out }))), running: () => child.exitCode === null };
}

export async function autoextendChecks() {
  for (const [dir, size] of /** @type {[string, string][]} */ ([
    [ROOMY, "256m"],
    [TIGHT, "76m"],
  ])) {
    mkdirSync(dir, { recursive: true });
    sh("/usr/bin/mount", ["-t", "tmpfs", "-o", `size=${size}`, "store", dir]);
  }
  writeConfig(PCS, {
    storage: {
      master: MASTER,
      cowDir: "/store",
      iqnPrefix: "iqn.2026-11.test.cowherd",
      backend: "tgt",
      access: "all",
      reserveMiB: RESERVE_MIB,
      lowSpaceMiB: 16,
    },
    autoextend: { threshold: 50, percent: 50 },
    statusCacheMs: 300,
  });
  const up = helper("up", "7", "8");
  check("auto-extend: up 7 8 on their own stores (24 MiB COWs)", up.code === 0, up.json);
  const app = await startApp();
  const api = await apiSession(app.url);
  for (let i = 0; i < 80 && (await api.get("/api/machines")).json?.hosts?.[0]?.health?.state !== "up"; i++) await sleep(250);

  // Both PCs write 56 MiB of new data (more than twice their COW) while the app watches.
  const a = writer("retrocow7", 56, "0x5a", 600);
  const b = writer("retrocow8", 56, "0x6b", 600);
  /** @type {Record<number, Set<string>>} */
  const seen = { 7: new Set(), 8: new Set() };
  let minTightFree = Infinity;
  /** @type {{ 7: number, 8: number }} */
  const maxFile = { 7: 0, 8: 0 };
  const t0 = Date.now();
  while (a.running() || b.running()) {
    const v = (await api.get("/api/machines")).json;
    for (const m of v?.machines ?? []) seen[m.id]?.add(m.state);
    minTightFree = Math.min(minTightFree, freeMiB(TIGHT));
    for (const pc of PCS) maxFile[pc.id] = Math.max(maxFile[pc.id], statSync(pc.cowPath).size / MiB);
    if (Date.now() - t0 > 8 * 60_000) break;
    await sleep(400);
  }
  const [ra] = await Promise.all([a.done, b.done]);
  await sleep(3000); // the last look at the room
  /** @type {{ 7: Row, 8: Row }} */
  const st = Object.fromEntries((helper("status").json?.machines ?? []).map((/** @type {Row} */ m) => [m.id, m]));
  /** @type {(kind: string, machine: number) => Promise<Row[]>} */
  const events = async (kind, machine) => (await api.get(`/api/events?kind=${kind}&machine=${machine}&pageSize=50`)).json?.events ?? [];

  // Room on the store: never Invalid, grown in steps, the data all there.
  const grows7 = await events("autoextend", 7);
  check(
    "auto-extend: the writing PC never went Invalid while its store had room",
    !seen[7]?.has("invalid") && st[7].state === "ok" && !/failed|error/i.test(ra.out),
    { states: [...(seen[7] ?? [])], st: st[7], out: ra.out.slice(-400) },
  );
  check(
    "auto-extend: its COW grew online in lvm2's steps (24 → 36 → 54 → 81 MiB …), each recorded",
    grows7.length >= 3 && st[7].totalSectors >= 81 * 2048 && st[7].totalSectors <= 96 * 2048 && statSync(PCS[0].cowPath).size === st[7].totalSectors * 512,
    { grows: grows7.map((/** @type {Row} */ e) => e.message), total: st[7].totalSectors },
  );
  check("auto-extend: never past maxCowSizeMiB (96 MiB)", maxFile[7] <= 96, maxFile);
  const verify = sh("/usr/bin/qemu-io", ["-f", "raw", "-c", "read -P 0x5a 0 56M", lunUrl("retrocow7")]);
  check(
    "auto-extend: every byte the PC wrote reads back through the grown COW",
    verify.code === 0 && !/fail|error/i.test(verify.stdout + verify.stderr),
    verify.stdout.slice(-300),
  );

  // The tight store: one growth, then refused at the reserve; the event says so once; the store never fills.
  const refused = await events("autoextend-refused", 8);
  check("reserve: the PC on the tight store grew once (24 → 36 MiB), then no more", statSync(PCS[1].cowPath).size === 36 * MiB && maxFile[8] <= 36, {
    file: statSync(PCS[1].cowPath).size / MiB,
    maxFile: maxFile[8],
  });
  check(
    "reserve: the refusal is one event naming the reserve (deduplicated while it holds)",
    refused.length === 1 && /reserve \(storage\.reserveMiB\)/.test(refused[0]?.message) && refused[0]?.severity === "danger",
    refused.map((/** @type {Row} */ e) => e.message),
  );
  check(`reserve: the store never went below its ${RESERVE_MIB} MiB reserve (lowest free ${minTightFree.toFixed(1)} MiB)`, minTightFree >= RESERVE_MIB, {
    minTightFree,
  });
  const died = await events("snapshot-invalid", 8);
  check(
    "reserve: the PC that could not grow died, and the event says when and how fast it was filling",
    st[8].state === "invalid" && died.length === 1 && /^squeezed died at \d\d:\d\d: its snapshot is Invalid \(COW full\), last rate \d/.test(died[0]?.message),
    { st: st[8], died },
  );

  // A reset takes the grown COW back to its configured size (no growth carried over), clean.
  const { job } = await api.reset([7, 8]);
  const after = Object.fromEntries((helper("status").json?.machines ?? []).map((/** @type {Row} */ m) => [m.id, m]));
  const loop7 = sh("/usr/sbin/losetup", ["-j", PCS[0].cowPath, "-O", "NAME", "-n"]).stdout.trim().replace("/dev/", "");
  check(
    "reset: both COWs back to 24 MiB — file, loop capacity and the kernel's total — and fresh",
    job.summary.ok === 2 &&
      [7, 8].every((id) => after[id].state === "ok" && after[id].totalSectors === 24 * 2048 && statSync(PCS[id - 7]?.cowPath ?? "").size === 24 * MiB) &&
      Number(readFileSync(`/sys/block/${loop7}/size`, "utf8")) === (24 * MiB) / 512,
    { job: job.summary, after },
  );
  check("reset: the shrunk PCs read exactly the master", compareWithMaster("retrocow7").identical && compareWithMaster("retrocow8").identical);
  check("reset: the reserve's refusal cleared with it", (await api.get("/api/events?kind=autoextend-refused&open=1")).json?.events?.length === 0);
  await app.stop();

  // A reset killed between cutting the grown COW and telling its loop (error table live, header
  // zeroed, file 24 MiB, loop still 48 MiB, journal left): repair sets the loop's capacity again
  // before loading the snapshot, and the PC comes back fresh at its configured size.
  const grow = helper("grow", "7", "48");
  const sysSize = () => (Number(readFileSync(`/sys/block/${loop7}/size`, "utf8")) * 512) / MiB;
  sh("/usr/sbin/dmsetup", ["wipe_table", "retrocow7"]);
  const fd = openSync(PCS[0].cowPath, "r+");
  writeSync(fd, Buffer.alloc(4096), 0, 4096, 0);
  fsyncSync(fd);
  closeSync(fd);
  sh("/usr/bin/truncate", ["-s", "24M", PCS[0].cowPath]);
  writeFileSync("/run/cowherd/reset-7.json", JSON.stringify({ pid: 999999, startedAt: Date.now(), step: "cow-zero" }));
  const before = sysSize();
  const rep = helper("repair");
  const s7 = helper("status").json?.machines?.find((/** @type {Row} */ m) => m.id === 7);
  check(
    "crash after the cut, before the loop was told: repair sets the loop to its file's 24 MiB, then the snapshot comes back fresh",
    grow.code === 0 &&
      before === 48 &&
      rep.code === 0 &&
      rep.json?.machines?.find((m) => m.id === 7)?.actions.includes("cow-capacity") &&
      sysSize() === 24 &&
      s7?.state === "ok" &&
      s7?.totalSectors === 24 * 2048 &&
      compareWithMaster("retrocow7").identical,
    { grow: grow.json, before, after: sysSize(), rep: rep.json, s7 },
  );
  helper("down", "7", "8");
}
