// @ts-check
// The storage's own faults on a real kernel, injected the way they happen: verbs started against a
// reset stopped at every step, the helper killed at every step, half states a kill leaves, the
// master or a COW deleted or replaced under running PCs, a full store, a target not installed.
import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { check } from "./checks.mjs";
import { CONFIG, compareWithMaster, helper, HELPER, qemuIo, sh, sleep, writeConfig, envOf } from "./guest-lib.mjs";
import { PCS } from "./system-helper.mjs";

/** @type {[string, string][]} */
const PAUSES = [
  ["before-wipe", "after check, before dm-error"],
  ["after-wipe", "after dm-error, before cow-zero"],
  ["before-load", "after cow-zero, before dm-load"],
  ["after-load", "after dm-load, before dm-resume"],
];
const dm = (/** @type {string[]} */ ...a) => sh("/usr/sbin/dmsetup", a);
const devState = (/** @type {string} */ name) => `${dm("table", name).stdout.trim()} | ${dm("info", "-c", "--noheadings", "-o", "attr", name).stdout.trim()}`;

/** The helper started in the background (as the shell would), to be waited for or killed. */
export function background(/** @type {string[]} */ ...args) {
  const child = spawn(HELPER, args, { stdio: ["ignore", "pipe", "pipe"], env: envOf({ PATH: "/usr/sbin:/usr/bin", LC_ALL: "C", DM_DISABLE_UDEV: "1" }) });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const done = new Promise((r) =>
    child.once("exit", (code) =>
      r({
        code,
        out,
        json: (() => {
          try {
            return JSON.parse(out);
          } catch {
            return null;
          }
        })(),
      }),
    ),
  );
  return { child, done, running: () => child.exitCode === null && child.signalCode === null };
}

export async function pauseAt(/** @type {string} */ point) {
  mkdirSync("/run/pause", { recursive: true });
  // A pass-through that died holding (its helper was killed) left its "at" mark: a stale one would
  // say this pause was reached before the reset even started (the conformance run failed so once).
  rmSync(`/run/pause/at-${point}`, { force: true });
  writeFileSync(`/run/pause/${point}`, "");
}
export async function reachedPause(/** @type {string} */ point, ms = 60_000) {
  const end = Date.now() + ms;
  while (!existsSync(`/run/pause/at-${point}`)) {
    if (Date.now() > end) throw new Error(`the reset never reached ${point}`);
    await sleep(50);
  }
}
export const release = (/** @type {string} */ point) => rmSync(`/run/pause/${point}`, { force: true });

/** Each PC serves a snapshot with nothing half done: what `repair` would find nothing to do about. */
function consistent(ids = [1, 2, 3]) {
  const s = helper("status").json?.machines ?? [];
  return ids.every((id) => {
    const m = s.find((x) => x.id === id);
    return m && m.state === "ok" && !m.problem && !m.suspended && m.exported;
  });
}

export async function faultChecks() {
  // The dm worker behind a pausing pass-through (only the helper starts /usr/bin/perl here).
  renameSync("/usr/bin/perl", "/usr/bin/perl.real");
  copyFileSync("/cowherd/pause-perl.mjs", "/usr/bin/perl");
  chmodSync("/usr/bin/perl", 0o755);
  writeConfig(PCS);
  const up = helper("up");
  check("faults: start from three PCs up", up.code === 0, up.json);

  // ── verbs against a reset stopped at every step ────────────────────────────────────────────
  for (const [i, [point, where]] of PAUSES.entries()) {
    qemuIo("retrocow1", "write -P 0x5a 6M 1M");
    await pauseAt(point);
    const reset = background("reset", "1");
    await reachedPause(point);
    const held = devState("retrocow1");
    const rivals = { "up 1": background("up", "1"), up: background("up"), "grow 1": background("grow", "1", String(40 + i * 4)), repair: background("repair") };
    const st = helper("status");
    await sleep(1500);
    check(`reset paused ${where}: status answers at once and changes nothing`, st.code === 0 && devState("retrocow1") === held, {
      held,
      now: devState("retrocow1"),
    });
    const waiting = Object.entries(rivals)
      .filter(([, r]) => r.running())
      .map(([n]) => n);
    check(`reset paused ${where}: up 1, up, grow 1 and repair all wait for PC 1's lock`, waiting.length === 4, { waiting });
    release(point);
    const r = await reset.done;
    check(`reset paused ${where}: the reset then finishes fresh`, r.code === 0 && r.json?.reports?.[0]?.outcome === "fresh", r.json);
    const results = Object.fromEntries(await Promise.all(Object.entries(rivals).map(async ([n, p]) => [n, await p.done])));
    check(
      `reset paused ${where}: the waiting verbs then run in turn and succeed`,
      Object.values(results).every((x) => x.code === 0),
      Object.fromEntries(Object.entries(results).map(([n, x]) => [n, x.code === 0 ? "ok" : x.out.slice(0, 300)])),
    );
    check(
      `reset paused ${where}: PC 1 ends fresh (identical to the master), nothing half done`,
      compareWithMaster("retrocow1").identical && consistent(),
      helper("status").json,
    );
  }

  // Another PC's COW takes the loop number a paused reset's PC had: its data must survive.
  writeConfig([...PCS, { id: 4, name: "pc4", ip: "127.0.0.44", dmName: "retrocow4" }]);
  await pauseAt("after-wipe");
  const r1 = background("reset", "1");
  await reachedPause("after-wipe");
  const down1 = background("down", "1");
  const up4 = helper("up", "4");
  check("while PC 1's reset is paused, up 4 (another PC) goes ahead", up4.code === 0, up4.json);
  qemuIo("retrocow4", "write -P 0x44 1M 1M");
  release("after-wipe");
  const rr1 = await r1.done;
  await down1.done;
  helper("up", "1");
  check("the paused reset zeroed only its own COW file: PC 4's data is intact", rr1.code === 0 && qemuIo("retrocow4", "read -P 0x44 1M 1M").ok, rr1.json);
  check("…and PC 1 is fresh", compareWithMaster("retrocow1").identical && consistent([1, 4]));

  // ── the helper killed at every step ────────────────────────────────────────────────────────
  for (const [point, where] of PAUSES) {
    qemuIo("retrocow2", "write -P 0x6b 3M 1M");
    await pauseAt(point);
    const reset = background("reset", "2");
    await reachedPause(point);
    reset.child.kill("SIGKILL");
    await reset.done;
    release(point);
    await sleep(300);
    const before = devState("retrocow2");
    const st = helper("status");
    const m2 = st.json?.machines?.find((m) => m.id === 2);
    const half = point !== "before-wipe";
    check(
      `helper killed ${where}: status reports ${half ? "the half state" : "PC 2 as it was"} and changes nothing`,
      st.code === 0 && devState("retrocow2") === before && !!m2?.problem === half,
      m2,
    );
    check(
      `helper killed ${where}: the journal stays until the PC is repaired`,
      existsSync("/run/cowherd/reset-2.json"),
      readFileSync("/run/cowherd/reset-2.json", "utf8"),
    );
    const rep = helper("repair");
    const zeroed = point === "before-load" || point === "after-load";
    const data = zeroed ? compareWithMaster("retrocow2").identical : qemuIo("retrocow2", "read -P 0x6b 3M 1M").ok;
    check(
      `helper killed ${where}: repair brings PC 2 back ${zeroed ? "fresh (its header was zeroed)" : "with its own data (header intact)"}, never garbage`,
      rep.code === 0 && data && consistent([2]),
      rep.json,
    );
    check(
      `helper killed ${where}: the journal is gone once repaired, no lock left`,
      !existsSync("/run/cowherd/reset-2.json") && helper("reset", "2").code === 0,
    );
  }

  // ── half states a kill elsewhere leaves ────────────────────────────────────────────────────
  // A device with no table (killed inside dmsetup create): the LUN had to go for the device to be re-made.
  sh("/usr/sbin/tgtadm", ["--lld", "iscsi", "--op", "delete", "--mode", "logicalunit", "--tid", "3", "--lun", "1"]);
  const table3 = dm("table", "retrocow3").stdout.trim();
  dm("remove", "retrocow3");
  dm("create", "retrocow3", "--notable");
  const s3 = helper("status").json?.machines?.find((m) => m.id === 3);
  check(
    "a device with no table: status names it (no table) and changes nothing",
    /no table/.test(s3?.problem ?? "") && dm("table", "retrocow3").stdout.trim() === "",
    s3,
  );
  const rep3 = helper("repair");
  check(
    "a device with no table: repair loads its snapshot and exports it again",
    rep3.code === 0 && dm("table", "retrocow3").stdout.trim() === table3 && consistent([3]),
    rep3.json,
  );
  // A table loaded but never resumed, with a dead process's journal.
  dm("load", "retrocow3", "--table", `0 ${table3.split(" ")[1]} error`);
  writeFileSync("/run/cowherd/reset-3.json", JSON.stringify({ pid: 999999, startedAt: Date.now(), step: "dm-load" }));
  const s3b = helper("status").json?.machines?.find((m) => m.id === 3);
  check(
    "a table loaded but never resumed: status names it and changes nothing",
    /inactive slot/.test(s3b?.problem ?? "") && /I/.test(dm("info", "-c", "--noheadings", "-o", "attr", "retrocow3").stdout),
    s3b,
  );
  const rs3 = helper("reset", "3");
  check(
    "…the next reset repairs it first (never making the error table live), then resets",
    rs3.code === 0 && compareWithMaster("retrocow3").identical && consistent([3]) && !existsSync("/run/cowherd/reset-3.json"),
    rs3.json,
  );

  // ── the store's own failures ───────────────────────────────────────────────────────────────
  // The master renamed, then another file put in its place, while PCs run.
  qemuIo("retrocow2", "write -P 0x72 5M 1M");
  const before2 = devState("retrocow2");
  renameSync("/store/master.img", "/store/master.moved");
  let r = helper("reset", "2");
  check(
    "master renamed: the reset is refused at check, before anything changes",
    r.code === 1 &&
      r.json?.reports?.[0]?.failedStep === "check" &&
      /master image \/store\/master.img was deleted, renamed or replaced/.test(r.json.reports[0].error) &&
      devState("retrocow2") === before2 &&
      qemuIo("retrocow2", "read -P 0x72 5M 1M").ok,
    r.json,
  );
  copyFileSync("/store/master.moved", "/store/master.img");
  r = helper("reset", "2");
  check(
    "master replaced by a copy (another inode): still refused, PC 2 keeps its data",
    r.code === 1 && r.json?.reports?.[0]?.failedStep === "check" && qemuIo("retrocow2", "read -P 0x72 5M 1M").ok,
    r.json,
  );
  const st = helper("status").json?.machines?.find((m) => m.id === 2);
  check("…and status says so", /master image/.test(st?.problem ?? ""), st);
  rmSync("/store/master.img");
  renameSync("/store/master.moved", "/store/master.img");
  check("master put back: reset works again", helper("reset", "2").code === 0 && compareWithMaster("retrocow2").identical);

  // A COW file deleted under a running PC: reported, refused, never swapped for an empty one.
  qemuIo("retrocow3", "write -P 0x33 2M 1M");
  rmSync("/store/retrocow3.cow");
  const s3c = helper("status").json?.machines?.find((m) => m.id === 3);
  check("COW file deleted: status reports PC 3 broken with the reason", /COW file \/store\/retrocow3.cow of pc3 was deleted/.test(s3c?.problem ?? ""), s3c);
  r = helper("reset", "3");
  check("COW file deleted: reset refused at check", r.code === 1 && r.json?.reports?.[0]?.failedStep === "check", r.json);
  r = helper("up", "3");
  check("COW file deleted: up refuses too and creates no new, empty COW", r.code === 1 && !existsSync("/store/retrocow3.cow"), r.json);
  check("COW file deleted: the PC still runs on its (deleted) disk meanwhile", qemuIo("retrocow3", "read -P 0x33 2M 1M").ok);
  check(
    "COW file deleted: down 3 then up 3 gives it a new disk on purpose",
    helper("down", "3").code === 0 && helper("up", "3").code === 0 && compareWithMaster("retrocow3").identical,
  );

  // A full store: up and grow refuse before creating or growing anything, and leave nothing behind.
  // (A small filesystem of its own: filling the guest's /store would fill its memory.)
  mkdirSync("/store/small", { recursive: true });
  sh("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=40m", "small", "/store/small"]);
  const small = (/** @type {number} */ id) => ({
    id,
    name: `pc${id}`,
    ip: `127.0.0.${40 + id}`,
    dmName: `retrocow${id}`,
    cowPath: `/store/small/retrocow${id}.cow`,
  });
  writeConfig([...PCS, { id: 4, name: "pc4", ip: "127.0.0.44", dmName: "retrocow4" }, small(5), small(6)]);
  check("store with room: up 5 (16 MiB COW, 16 MiB reserve, 40 MiB store) works", helper("up", "5").code === 0 && compareWithMaster("retrocow5").identical);
  const loopsBefore = sh("/usr/sbin/losetup", ["--list", "-n", "-O", "NAME"]).stdout;
  let full = helper("up", "6");
  check(
    "store full: up 6 is refused with the space it needs, and leaves no file or loop",
    full.code === 1 &&
      full.json?.machines?.[0]?.step === "space" &&
      /not enough space for pc6's 16 MiB COW/.test(full.json?.machines?.[0]?.error ?? "") &&
      !existsSync("/store/small/retrocow6.cow") &&
      sh("/usr/sbin/losetup", ["--list", "-n", "-O", "NAME"]).stdout === loopsBefore,
    full.json,
  );
  const total5 = helper("status").json?.machines?.find((m) => m.id === 5)?.totalSectors;
  full = helper("grow", "5", "32");
  check(
    "store full: grow is refused before the COW grows",
    full.code === 1 && full.json?.step === "space" && helper("status").json?.machines?.find((m) => m.id === 5)?.totalSectors === total5,
    full.json,
  );
  check("…and PC 5 still works", qemuIo("retrocow5", "write -P 0x55 0 1M").ok && qemuIo("retrocow5", "read -P 0x55 0 1M").ok);

  // A target configured that is not installed (iet here, tgt running): an error, not "not exported".
  const cfg = JSON.parse(readFileSync(CONFIG, "utf8"));
  writeFileSync(CONFIG, JSON.stringify({ ...cfg, storage: { ...cfg.storage, backend: "iet" } }));
  r = helper("status");
  check(
    "backend iet configured but not installed: status fails (exit 4) naming it",
    r.code === 4 && /configured as iet/.test(r.json?.error?.message ?? ""),
    r.json,
  );
  writeFileSync(CONFIG, JSON.stringify(cfg));

  // Back to the plain perl for what follows.
  renameSync("/usr/bin/perl.real", "/usr/bin/perl");
  check("faults: every PC consistent at the end", consistent([1, 2, 3, 4, 5]), helper("status").json);
}
