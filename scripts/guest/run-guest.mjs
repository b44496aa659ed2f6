// @ts-check
// Boots the guest with a per-run overlay (init, this project's helper, a scenario) and streams its
// serial console. No network at all (-nic none): the iSCSI initiator talks to the guest's own 127.0.0.1.
import { spawn } from "node:child_process";
import { closeSync, copyFileSync, openSync, readSync, writeSync, statSync } from "node:fs";
import path from "node:path";
import { ensureDebianPackages, runs } from "../debian-packages.mjs";
import { CpioWriter } from "./cpio.mjs";

/** @typedef {import("./build-guest.mjs").GuestPaths} Guest */
/** Files added to the guest's initramfs for one run, by their path in it. @typedef {Record<string, { data: Buffer | string, perm?: number }>} GuestFiles */
/**
 * A "COWHERD-<TAG> <json>" console line: its data is whatever the scenario printed (JSON, else the text).
 * @typedef {{ tag: string, data: any }} Tagged
 */
/**
 * @typedef {object} GuestRun
 * @property {"kvm" | "tcg"} accel
 * @property {number} seconds
 * @property {string} reason why QEMU stopped: exit, timeout, boot-timeout, aborted
 * @property {boolean} booted
 * @property {number | null} exitCode the scenario's, from its COWHERD-EXIT line
 * @property {Tagged[]} tagged
 * @property {string} log the whole console
 */

const INIT = `#!/bin/sh
export PATH=/usr/sbin:/usr/bin HOME=/root DM_DISABLE_UDEV=1 LC_ALL=C
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o size=512m tmp /tmp
mount -t tmpfs run /run
mount -t tmpfs -o size=3g store /store
ip link set lo up
for m in $(cat /modules/order); do insmod /modules/$m.ko || echo "COWHERD-WARN insmod $m failed"; done
# The project tree, read-only: the built app and the helper come from it.
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro project /project || echo "COWHERD-WARN no project share"
echo COWHERD-BOOTED
scenario=$(sed -n 's/.*cowherd=\\([a-z-]*\\).*/\\1/p' /proc/cmdline)
/usr/bin/node /cowherd/scenario.mjs "$scenario"
echo "COWHERD-EXIT $?"
poweroff -f
`;

/** @param {string} file @param {GuestFiles} files */
function overlay(file, files) {
  const cpio = new CpioWriter(file);
  cpio.file("init", INIT, 0o755);
  for (const [dest, { data, perm }] of Object.entries(files)) cpio.file(dest, data, perm ?? 0o644);
  cpio.close();
}

/**
 * Base archive + overlay in one file: the kernel unpacks concatenated newc archives in order.
 * @param {string} base @param {string} extra @param {string} out
 */
export function combine(base, extra, out) {
  copyFileSync(base, out);
  const fd = openSync(out, "a");
  const src = openSync(extra, "r");
  const buf = Buffer.alloc(1 << 20);
  let n;
  while ((n = readSync(src, buf, 0, buf.length, null)) > 0) writeSync(fd, buf, 0, n);
  closeSync(src);
  closeSync(fd);
}

/**
 * @param {Guest} guest @param {string} initrd @param {"kvm" | "tcg"} accel @param {string} scenario
 * @param {number} smp @param {number} memMiB @param {string[]} extra
 */
function qemuArgs(guest, initrd, accel, scenario, smp, memMiB, extra) {
  return [
    ...(accel === "kvm" ? ["-accel", "kvm", "-cpu", "host"] : ["-accel", "tcg"]),
    "-M",
    "pc",
    "-smp",
    String(smp),
    "-m",
    String(memMiB),
    "-nographic",
    "-no-reboot",
    "-nic",
    "none",
    "-nodefaults",
    "-serial",
    "stdio",
    "-virtfs",
    `local,path=${process.cwd()},mount_tag=project,security_model=none,readonly=on`,
    ...extra,
    "-kernel",
    guest.vmlinux,
    "-initrd",
    initrd,
    "-append",
    `console=ttyS0 quiet panic=-1 cowherd=${scenario}`,
  ];
}

/** @type {"kvm" | "tcg" | undefined} */
let accelChoice;

/**
 * @param {string[]} args
 * @param {{ timeoutMs: number, onLine?: (line: string) => void, bootTimeoutMs: number, signal?: AbortSignal }} how
 * @returns {Promise<{ booted: boolean, log: string, reason: string }>}
 */
function boot(args, { timeoutMs, onLine, bootTimeoutMs, signal }) {
  return new Promise((resolve) => {
    const child = spawn("qemu-system-x86_64", args, { stdio: ["ignore", "pipe", "pipe"] });
    let buf = "";
    let all = "";
    let booted = false;
    /** @param {string} reason */
    const finish = (reason) => {
      clearTimeout(total);
      clearTimeout(bootTimer);
      if (child.exitCode === null) child.kill("SIGKILL");
      resolve({ booted, log: all, reason });
    };
    const total = setTimeout(() => finish("timeout"), timeoutMs);
    signal?.addEventListener("abort", () => finish("aborted"), { once: true });
    const bootTimer = setTimeout(() => !booted && finish("boot-timeout"), bootTimeoutMs);
    /** @param {Buffer} d */
    const feed = (d) => {
      const s = d.toString();
      all += s;
      buf += s;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, "");
        buf = buf.slice(nl + 1);
        if (line.includes("COWHERD-BOOTED")) booted = true;
        onLine?.(line);
      }
    };
    child.stdout.on("data", feed);
    child.stderr.on("data", feed);
    child.on("exit", () => setTimeout(() => finish("exit"), 50));
  });
}

/**
 * Runs a scenario in the guest; returns every "COWHERD-<TAG> <json>" line it printed.
 * KVM is tried first with a short boot timeout (nested KVM here cannot boot a stock kernel), then TCG.
 * @param {Guest} guest
 * @param {{ scenario: string, files: GuestFiles, workDir: string, timeoutMs?: number, smp?: number, memMiB?: number, echo?: boolean,
 *   extraArgs?: string[], signal?: AbortSignal }} run
 * @returns {Promise<GuestRun>}
 */
export async function runGuest(guest, { scenario, files, workDir, timeoutMs = 20 * 60_000, smp = 1, memMiB = 3072, echo = true, extraArgs = [], signal }) {
  // Per scenario: the system test and the room test may run side by side.
  const extra = path.join(workDir, `overlay-${scenario}.cpio`);
  const initrd = path.join(workDir, `initrd-${scenario}.cpio`);
  overlay(extra, files);
  combine(guest.base, extra, initrd);
  /** @param {string} line */
  const onLine = (line) => {
    // The console's own control sequences (ESC c, ESC[2J from firmware and the kernel) would clear
    // the terminal running the tests and hide earlier results: show the text only.
    const text = printable(line);
    if (echo && !/^\s*$/.test(text)) console.log(`  guest| ${text}`);
  };
  const t0 = Date.now();
  let res;
  if (accelChoice !== "tcg" && process.env.COWHERD_NO_KVM !== "1" && statSafe("/dev/kvm")) {
    res = await boot(qemuArgs(guest, initrd, "kvm", scenario, smp, memMiB, extraArgs), { timeoutMs, onLine, bootTimeoutMs: 15_000, signal });
    if (res.booted) accelChoice = "kvm";
    else {
      console.log(`guest: KVM did not boot (${res.reason}); using TCG`);
      accelChoice = "tcg";
    }
  }
  if (!res?.booted) {
    accelChoice = "tcg";
    res = await boot(qemuArgs(guest, initrd, "tcg", scenario, smp, memMiB, extraArgs), { timeoutMs, onLine, bootTimeoutMs: 120_000, signal });
  }
  /** @type {Tagged[]} */
  const tagged = [];
  for (const line of res.log.split("\n")) {
    const m = /(COWHERD-[A-Z]+) ?(.*)$/.exec(line.replace(/\r$/, ""));
    if (!m?.[1]) continue;
    let data = m[2] ?? "";
    try {
      data = JSON.parse(data);
    } catch {
      /* plain text */
    }
    tagged.push({ tag: m[1], data });
  }
  const exit = tagged.find((t) => t.tag === "COWHERD-EXIT");
  return {
    accel: accelChoice ?? "tcg",
    seconds: (Date.now() - t0) / 1000,
    reason: res.reason,
    booted: res.booted,
    exitCode: exit ? Number(exit.data) : null,
    tagged,
    log: res.log,
  };
}

/** A console line without terminal control sequences (CSI/OSC/ESC x) or other control characters. @param {string} line */
export function printable(line) {
  // biome-ignore-start lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return line
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "")
    .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, "")
    .replace(/\x1b[@-_c]/g, "")
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "");
  // biome-ignore-end lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
}

/** @param {string} p */
function statSafe(p) {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

/** QEMU to boot the guest, xz to unpack Debian's kernel image: installed with apt-get when missing. */
export function ensureQemu() {
  return ensureDebianPackages(
    [
      ["qemu-system-x86", runs("qemu-system-x86_64", ["--version"])],
      ["xz-utils", runs("xz", ["--version"])],
    ],
    "the system and room tests",
  );
}
