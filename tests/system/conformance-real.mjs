// @ts-check
// The conformance suite's real side: tests/system/conformance.mjs run in the guest over the installed
// helper, the 6.1 kernel's dm-snapshot and loop devices, tgtd and libiscsi's qemu-io as the initiator.
// It runs on a store of its own (a tmpfs), with its own config and image state, and puts back what
// the other parts of the system test left.
import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { check } from "./checks.mjs";
import { IDS, MASTER_MIB, SPARE, STORE, STORE_MIB, conformanceConfig, masterByte, runConformance } from "./conformance.mjs";
import { CONFIG, emit, helper, sh, sleep, startTgtd, stopTgtd, writeConfig } from "./guest-lib.mjs";
import { background, pauseAt, reachedPause, release } from "./system-faults.mjs";
import { PCS } from "./system-helper.mjs";

/** @typedef {import("./conformance.mjs").Rig} Rig */
/** @typedef {import("./conformance.mjs").Disk} Disk */

const MASTER = `${STORE}/master.img`;
const STATE = "/var/lib/cowherd-helper/images.json";
const iqnOf = (/** @type {Disk} */ disk) => `iqn.2026-11.test.cowherd:${disk === "update" ? "update" : `conf${disk}`}`;
const url = (/** @type {Disk} */ disk) => `iscsi://127.0.0.1/${iqnOf(disk)}/1`;
const hex = (/** @type {number} */ b) => `0x${b.toString(16)}`;

/** qemu-io against a LUN: judged by its exit code and its words (it may exit 0 after a failed request). */
function qemuIo(/** @type {Disk} */ disk, /** @type {string} */ command) {
  const r = sh("/usr/bin/qemu-io", ["-f", "raw", "-c", command, url(disk)]);
  return r.code === 0 && !/(failed|error|Pattern verification failed)/i.test(r.stdout + r.stderr);
}

const online = (/** @type {number} */ id) => !!helper("status").json?.machines?.find((/** @type {any} */ m) => m.id === id)?.online;

async function until(/** @type {() => boolean} */ fn, ms = 15_000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(250)) if (fn()) return true;
  return false;
}

/** @returns {Rig & { cleanup(): void }} */
function realRig() {
  /** @type {Map<number, import("node:child_process").ChildProcessByStdio<import("node:stream").Writable, null, null>>} */
  const sessions = new Map();
  let pausing = false;
  return {
    side: "real",
    helper: async (...argv) => {
      const r = helper(...argv);
      return { code: r.code, json: r.json };
    },
    writePattern: async (disk, byte, off, len) => qemuIo(disk, `write -P ${hex(byte)} ${off}M ${len}M`),
    readPattern: async (disk, byte, off, len) => qemuIo(disk, `read -P ${hex(byte)} ${off}M ${len}M`),
    table: async (id) => {
      const t = sh("/usr/sbin/dmsetup", ["table", `conf${id}`]);
      if (t.code !== 0) return "absent";
      const live = t.stdout.trim() ? (t.stdout.trim().split(" ")[2] ?? "?") : "none";
      const attr = sh("/usr/sbin/dmsetup", ["info", "-c", "--noheadings", "-o", "attr", `conf${id}`]).stdout.trim();
      return attr.includes("i") || attr.includes("I") ? `${live}+inactive` : live;
    },
    journal: async (id) => existsSync(`/run/cowherd/reset-${id}.json`),
    cowExists: async (id) => existsSync(`${STORE}/conf${id}.cow`),
    openSession: async (id) => {
      sessions.set(id, spawn("/usr/bin/qemu-io", ["-f", "raw", url(id)], { stdio: ["pipe", "ignore", "ignore"] }));
      if (!(await until(() => online(id)))) throw new Error(`pc${id} never showed online under a held-open qemu-io session`);
    },
    closeSession: async (id) => {
      const s = sessions.get(id);
      sessions.delete(id);
      if (!s) return;
      s.stdin.end("quit\n");
      await new Promise((res) => (s.exitCode !== null ? res(null) : s.once("exit", res)));
      await until(() => !online(id));
    },
    deleteMaster: async () => renameSync(MASTER, `${MASTER}.moved`),
    restoreMaster: async () => renameSync(`${MASTER}.moved`, MASTER),
    deleteCow: async (id) => rmSync(`${STORE}/conf${id}.cow`),
    fillStore: async (leaveMiB) => {
      const fs = statfsSync(STORE);
      const free = fs.bavail * fs.bsize;
      sh("/usr/bin/fallocate", ["--length", String(free - leaveMiB * 1048576), `${STORE}/filler`]);
    },
    unfillStore: async () => rmSync(`${STORE}/filler`, { force: true }),
    tgtShow: async () => sh("/usr/sbin/tgtadm", ["--lld", "iscsi", "--op", "show", "--mode", "target"]).stdout,
    stopBackend: () => stopTgtd(),
    startBackend: () => startTgtd(),
    killedReset: async (id, point) => {
      if (!pausing) {
        // The dm worker behind a pass-through that holds a request or its answer where the test says.
        renameSync("/usr/bin/perl", "/usr/bin/perl.real");
        copyFileSync("/cowherd/pause-perl.mjs", "/usr/bin/perl");
        chmodSync("/usr/bin/perl", 0o755);
        pausing = true;
      }
      await pauseAt(point);
      const reset = background("reset", String(id));
      await reachedPause(point);
      reset.child.kill("SIGKILL");
      await reset.done;
      release(point);
      await sleep(300);
    },
    cleanup() {
      for (const s of sessions.values()) s.kill("SIGKILL");
      if (pausing) renameSync("/usr/bin/perl.real", "/usr/bin/perl");
      pausing = false;
    },
  };
}

/** The suite on the real kernel, one COWHERD-CHECK (and one COWHERD-CONFORMANCE) line a scenario. */
export async function conformanceChecks() {
  mkdirSync(STORE, { recursive: true });
  sh("/usr/bin/mount", ["-t", "tmpfs", "-o", `size=${STORE_MIB}m`, "conf", STORE]);
  const buf = Buffer.alloc(MASTER_MIB * 1048576);
  for (let i = 0; i < MASTER_MIB; i++) buf.fill(masterByte(i), i * 1048576, (i + 1) * 1048576);
  writeFileSync(MASTER, buf);
  // Its own image versions: the state the other parts left is put aside and back afterwards.
  const hadState = existsSync(STATE);
  if (hadState) renameSync(STATE, `${STATE}.room`);
  writeFileSync(CONFIG, JSON.stringify(conformanceConfig()));
  chmodSync(CONFIG, 0o644);
  const rig = realRig();
  try {
    const t0 = Date.now();
    await runConformance(rig, {
      onResult: (r) => {
        emit("CONFORMANCE", {
          side: "real",
          name: r.name,
          outcome: r.skipped ? `skipped: ${r.skipped}` : r.diffs.length ? "differs" : "as expected",
          diffs: r.diffs,
          observed: r.observed,
        });
        if (r.skipped) check(`conformance (real kernel): ${r.name}: skipped (${r.skipped})`, true);
        else check(`conformance (real kernel): ${r.name}`, r.diffs.length === 0, { what: r.what, diffs: r.diffs, observed: r.observed });
      },
    });
    emit("MEASURE", { name: "conformance suite on the real kernel", ms: Date.now() - t0 });
  } finally {
    rig.cleanup();
    helper("down", ...[...IDS, SPARE].map(String));
    if (existsSync(`${MASTER}.moved`)) renameSync(`${MASTER}.moved`, MASTER);
    rmSync(STATE, { force: true });
    if (hadState) renameSync(`${STATE}.room`, STATE);
    // Loops of the suite's image versions (the master, v2) go before the store is unmounted.
    for (const loop of sh("/usr/sbin/losetup", ["--list", "-n", "-O", "NAME,BACK-FILE"]).stdout.split("\n")) {
      const [name, file] = loop.trim().split(/\s+/);
      if (name && file?.startsWith(`${STORE}/`)) sh("/usr/sbin/losetup", ["--detach", name]);
    }
    sh("/usr/bin/umount", [STORE]);
    writeConfig(PCS);
    // The targets of the PCs the other parts set up went with tgtd in "missing backend": export them again.
    helper("repair");
  }
}
