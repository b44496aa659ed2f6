// Runs inside the QEMU guest (Debian 6.1 kernel, tgt, libiscsi's qemu-io/qemu-img, node).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";

export const HELPER = "/cowherd/cowherd-helper";
export const MASTER = "/store/master.img";
export const MASTER_MIB = 64;

export function sh(file, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, { encoding: "utf8", timeout: opts.timeoutMs ?? 300_000, env: { PATH: "/usr/sbin:/usr/bin", LC_ALL: "C", DM_DISABLE_UDEV: "1" } });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "", ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/** The project's helper, run as the admin would: its argv, JSON on stdout, exit code. */
export function helper(...args) {
  const r = sh(HELPER, args);
  let json = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    /* reported by the caller */
  }
  return { ...r, json };
}

export const iqn = (dm) => `iqn.2026-11.test.cowherd:${dm}`;
export const lunUrl = (dm) => `iscsi://127.0.0.1/${iqn(dm)}/1`;

export function qemuIo(dm, command) {
  const r = sh("/usr/bin/qemu-io", ["-f", "raw", "-c", command, lunUrl(dm)]);
  // qemu-io prints failures but may still exit 0: judge by its words too.
  const failed = r.code !== 0 || /(failed|error|Pattern verification failed)/i.test(r.stdout + r.stderr);
  return { ...r, ok: !failed };
}

export function compareWithMaster(dm) {
  const r = sh("/usr/bin/qemu-img", ["compare", "-f", "raw", "-F", "raw", MASTER, lunUrl(dm)]);
  return { ...r, identical: r.code === 0 && /Images are identical/.test(r.stdout) };
}

let tgtd = null;

export async function startTgtd() {
  mkdirSync("/run/tgtd", { recursive: true });
  tgtd = spawn("/usr/sbin/tgtd", ["-f"], { stdio: "ignore", env: { PATH: "/usr/sbin:/usr/bin" } });
  tgtd.unref(); // the scenario's end must not wait for the daemon
  for (let i = 0; i < 100; i++) {
    if (sh("/usr/sbin/tgtadm", ["--op", "show", "--mode", "sys"]).code === 0) return;
    await sleep(100);
  }
  throw new Error("tgtd did not come up");
}

export async function stopTgtd() {
  if (!tgtd) return;
  const t = tgtd;
  tgtd = null;
  t.ref(); // keep the event loop alive until its exit arrives
  t.kill("SIGKILL");
  await new Promise((r) => (t.exitCode !== null ? r() : t.once("exit", r)));
  await sleep(200);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A master with a pattern that differs per MiB, so any wrong block shows. */
export function writeMaster(mib = MASTER_MIB) {
  mkdirSync("/store", { recursive: true });
  const buf = Buffer.alloc(mib * 1048576);
  for (let i = 0; i < mib; i++) buf.fill((0x41 + i * 7) & 0xff, i * 1048576, (i + 1) * 1048576);
  writeFileSync(MASTER, buf);
}

export function writeConfig(machines, defaults = { cowSizeMiB: 16, chunkSectors: 8, mode: "P" }) {
  mkdirSync("/etc/cowherd", { recursive: true });
  writeFileSync(
    "/etc/cowherd/config.json",
    JSON.stringify({
      host: "real",
      machines,
      defaults,
      storage: { master: MASTER, cowDir: "/store", iqnPrefix: "iqn.2026-11.test.cowherd", backend: "tgt", access: "all" },
    }),
  );
}

export function emit(tag, data) {
  process.stdout.write(`COWHERD-${tag} ${JSON.stringify(data)}\n`);
}

/** The loop device behind a PC's COW file ("dmsetup table" shows only major:minor). */
export function cowLoopOf(dm) {
  const out = sh("/usr/sbin/losetup", ["-j", `/store/${dm}.cow`, "-O", "NAME", "-n"]).stdout.trim().split("\n")[0];
  if (!out || !out.startsWith("/dev/loop")) throw new Error(`no loop device for /store/${dm}.cow`);
  return out;
}
