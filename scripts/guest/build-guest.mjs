// @ts-check
// Builds (and caches) a tiny QEMU guest from Debian's own packages: Debian's kernel booted as an ELF
// vmlinux, the dm/loop modules, and a userland with dmsetup, util-linux, tgt, a libiscsi initiator
// (qemu-img/qemu-io) and this machine's node. Nothing is installed on the host but QEMU.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CpioWriter } from "./cpio.mjs";

const BUILDER_VERSION = "7";
// Storage: dm, loop, tgt, an iSCSI initiator (libiscsi through qemu-io/qemu-img). The app's real
// host path: perl-base (the helper's dm worker), sudo with PAM, OpenSSH (the second storage host).
// The room: dnsmasq for the PCs' DHCP and TFTP.
export const USER_PACKAGES = [
  "busybox-static",
  "bash",
  "coreutils",
  "dmsetup",
  "util-linux",
  "mount",
  "tgt",
  "libiscsi-bin",
  "qemu-utils",
  "qemu-block-extra",
  "perl-base",
  "sudo",
  "libpam-modules",
  "openssh-server",
  "openssh-client",
  "dnsmasq-base",
  // A filesystem that shares blocks (reflink), for the image versions' copy: mkfs.xfs.
  "xfsprogs",
];
// 9p: the project tree shared read-only with the guest (the built app runs from it). virtio_net:
// the room's LAN and the browser's link.
const MODULES = ["loop", "dm-mod", "dm-bufio", "dm-snapshot", "9pnet_virtio", "9p", "virtio_pci", "virtio_net"];
// Loaded by the scenario that needs them (modules/order-xfs), not at every boot.
// crc32c_generic first: libcrc32c asks the crypto API for "crc32c" at load and the guest has no modprobe to fetch it.
const XFS_MODULES = ["crc32c_generic", "xfs"];
// Guest path -> names to look for in the extracted packages.
const BINARIES = {
  "/usr/sbin/dmsetup": "dmsetup",
  "/usr/sbin/losetup": "losetup",
  "/usr/sbin/blockdev": "blockdev",
  "/usr/bin/fallocate": "fallocate",
  "/usr/bin/dd": "dd",
  "/usr/bin/env": "env",
  "/usr/bin/cmp": null,
  "/usr/sbin/tgtd": "tgtd",
  "/usr/sbin/tgtadm": "tgtadm",
  "/usr/bin/qemu-img": "qemu-img",
  "/usr/bin/qemu-io": "qemu-io",
  "/usr/bin/iscsi-ls": "iscsi-ls",
  "/usr/bin/bash": "bash",
  "/usr/bin/busybox": "busybox",
  "/usr/bin/perl": "perl",
  "/usr/bin/sudo": "sudo",
  "/usr/sbin/visudo": "visudo",
  "/usr/bin/setpriv": "setpriv",
  "/usr/bin/install": "install",
  "/usr/sbin/sshd": "sshd",
  "/usr/sbin/dnsmasq": "dnsmasq",
  "/usr/bin/ssh": "ssh",
  "/usr/bin/ssh-keygen": "ssh-keygen",
  "/usr/sbin/mkfs.xfs": "mkfs.xfs",
};
// Whole directories, with the libraries of every ELF file in them (plugins loaded with dlopen).
const TREES = ["usr/lib/x86_64-linux-gnu/perl-base", "usr/libexec/sudo"];
// Single files found in the staging tree (PAM modules sudo's minimal policy uses).
const EXTRA_FILES = ["lib/x86_64-linux-gnu/security/pam_permit.so", "lib/x86_64-linux-gnu/security/pam_deny.so"];
// sudo must be setuid root to be sudo at all.
/** @type {Record<string, number>} */
const MODES = { "/usr/bin/sudo": 0o4755 };

/** @typedef {{ vmlinux: string, base: string, client: string, key: string }} GuestPaths */

/** @param {string} cmd @param {string[]} args @param {import("node:child_process").SpawnSyncOptions} [opts] @returns {string} */
function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr || r.stdout}`);
  return String(r.stdout);
}

/** @param {string} msg */
function log(msg) {
  console.log(`guest: ${msg}`);
}

function kernelPackage() {
  const out = sh("apt-cache", ["depends", "linux-image-amd64"]);
  const m = /Depends: (linux-image-[\w.-]+-amd64)/.exec(out);
  if (!m?.[1]) throw new Error("cannot find the kernel package linux-image-amd64 depends on (apt-get update?)");
  return m[1];
}

function ensureAptLists() {
  const r = spawnSync("apt-cache", ["policy", "linux-image-amd64"], { encoding: "utf8" });
  if (!/Candidate: (?!\(none\))/.test(r.stdout ?? "")) {
    log("apt lists are empty: apt-get update");
    sh("apt-get", ["update", "-qq"], { stdio: "inherit" });
  }
}

/** @param {string} deb @param {string} into */
function extractDeb(deb, into) {
  mkdirSync(into, { recursive: true });
  sh("dpkg-deb", ["-x", deb, into]);
}

/** vmlinuz is a bzImage wrapping an xz stream whose content is the ELF vmlinux QEMU can boot via PVH. @param {string} vmlinuz @param {string} out */
function extractVmlinux(vmlinuz, out) {
  const buf = readFileSync(vmlinuz);
  const magic = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
  let at = buf.indexOf(magic);
  while (at >= 0) {
    const r = spawnSync("xz", ["-dc"], { input: buf.subarray(at), maxBuffer: 512 * 1024 * 1024 });
    if (r.stdout && r.stdout.length > 4 && r.stdout.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) {
      writeFileSync(out, r.stdout);
      return;
    }
    at = buf.indexOf(magic, at + 1);
  }
  throw new Error(`no xz-compressed ELF found in ${vmlinuz}`);
}

/** @param {string} ko @returns {string[]} */
function modinfoDepends(ko) {
  const text = readFileSync(ko).toString("latin1");
  const m = /depends=([^\0]*)\0/.exec(text);
  return m?.[1] ? m[1].split(",").filter(Boolean) : [];
}

/** @param {string} root @param {string} ver @param {string} outDir @returns {string[]} modules in load order */
function collectModules(root, ver, outDir, names = MODULES) {
  const base = path.join(root, "lib/modules", ver);
  const builtin = new Set(
    (existsSync(path.join(base, "modules.builtin")) ? readFileSync(path.join(base, "modules.builtin"), "utf8") : "")
      .split("\n")
      .map((l) => path.basename(l).replace(/\.ko$/, "").replace(/-/g, "_")),
  );
  /** @type {Map<string, string>} */
  const index = new Map();
  /** @param {string} d */
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ko(\.xz)?$/.test(e.name)) index.set(e.name.replace(/\.ko(\.xz)?$/, "").replace(/-/g, "_"), p);
    }
  };
  walk(path.join(base, "kernel"));
  mkdirSync(outDir, { recursive: true });
  /** @type {string[]} */
  const order = [];
  const seen = new Set();
  /** @param {string} name */
  const visit = (name) => {
    const key = name.replace(/-/g, "_");
    if (seen.has(key) || builtin.has(key)) return;
    seen.add(key);
    const src = index.get(key);
    if (!src) throw new Error(`module ${name} not found in ${base}`);
    const out = path.join(outDir, `${key}.ko`);
    if (src.endsWith(".xz")) writeFileSync(out, spawnSync("xz", ["-dc", src], { maxBuffer: 64 * 1024 * 1024 }).stdout);
    else copyFileSync(src, out);
    for (const dep of modinfoDepends(out)) visit(dep);
    order.push(key);
  };
  names.forEach(visit);
  return order;
}

/** @param {string} staging @param {string} name */
function findIn(staging, name) {
  for (const dir of ["usr/sbin", "sbin", "usr/bin", "bin"]) {
    const p = path.join(staging, dir, name);
    if (existsSync(p)) return p;
  }
  return null;
}

/** Shared libraries an ELF needs, resolved against the staging tree first, then the host. @param {string} file @param {string} libPath */
function libsOf(file, libPath) {
  const r = spawnSync("/lib64/ld-linux-x86-64.so.2", ["--library-path", libPath, "--list", file], { encoding: "utf8" });
  /** @type {string[]} */
  const out = [];
  for (const line of (r.stdout ?? "").split("\n")) {
    const m = /=> (\/\S+)/.exec(line) ?? /^\s*(\/\S+) \(0x/.exec(line);
    if (m?.[1]) out.push(m[1]);
  }
  return out;
}

/** @param {string} cacheDir @returns {GuestPaths} */
export function guestPaths(cacheDir) {
  return {
    vmlinux: path.join(cacheDir, "vmlinux"),
    base: path.join(cacheDir, "base.cpio"),
    client: path.join(cacheDir, "client.cpio"),
    key: path.join(cacheDir, "base.key"),
  };
}

/**
 * The room's LAN client: the same kernel with busybox and the modules only (boots in seconds).
 * @param {string} out @param {string} busybox @param {string} modDir @param {string[]} modOrder
 */
function buildClient(out, busybox, modDir, modOrder) {
  const cpio = new CpioWriter(out);
  for (const d of ["usr", "usr/bin", "proc", "sys", "dev", "tmp", "modules"]) cpio.dir(d);
  for (const [link, target] of /** @type {const} */ ([
    ["bin", "usr/bin"],
    ["sbin", "usr/bin"],
  ]))
    cpio.symlink(link, target);
  cpio.file("usr/bin/busybox", readFileSync(busybox), 0o755);
  const applets = spawnSync(busybox, ["--list"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
  for (const a of applets) if (a !== "busybox") cpio.symlink(`usr/bin/${a}`, "busybox");
  for (const m of modOrder) cpio.file(`modules/${m}.ko`, readFileSync(path.join(modDir, `${m}.ko`)));
  cpio.file("modules/order", modOrder.join("\n") + "\n");
  cpio.close();
}

/** @param {string} cacheDir @returns {GuestPaths} */
export function buildGuest(cacheDir) {
  const p = guestPaths(cacheDir);
  ensureAptLists();
  const kpkg = kernelPackage();
  const nodeStat = statSync(process.execPath);
  const key = createHash("sha256")
    .update([BUILDER_VERSION, kpkg, USER_PACKAGES.join(","), process.execPath, nodeStat.size, nodeStat.mtimeMs].join("|"))
    .digest("hex");
  if ([p.vmlinux, p.base, p.client, p.key].every((f) => existsSync(f)) && readFileSync(p.key, "utf8") === key) {
    log(`cached (${kpkg})`);
    return p;
  }
  const t0 = Date.now();
  const work = path.join(cacheDir, "work");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(path.join(work, "debs"), { recursive: true });

  log(`downloading ${kpkg}`);
  sh("apt-get", ["download", "-qq", kpkg], { cwd: path.join(work, "debs") });
  const kdeb = readdirSync(path.join(work, "debs")).find((f) => f.startsWith(kpkg));
  if (!kdeb) throw new Error(`apt-get download ${kpkg} left no .deb in ${path.join(work, "debs")}`);
  const kroot = path.join(work, "kernel");
  extractDeb(path.join(work, "debs", kdeb), kroot);
  const ver = readdirSync(path.join(kroot, "lib/modules"))[0];
  if (!ver) throw new Error(`${kpkg} has no lib/modules/<version>`);
  extractVmlinux(path.join(kroot, "boot", `vmlinuz-${ver}`), p.vmlinux);
  const modOrder = collectModules(kroot, ver, path.join(work, "modules"));
  const xfsOrder = collectModules(kroot, ver, path.join(work, "modules"), [...MODULES, ...XFS_MODULES]).filter((m) => !modOrder.includes(m));
  log(`kernel ${ver}, modules: ${modOrder.join(" ")} (on demand: ${xfsOrder.join(" ")})`);

  log(`downloading ${USER_PACKAGES.join(" ")}`);
  const archives = path.join(work, "archives");
  mkdirSync(path.join(archives, "partial"), { recursive: true });
  writeFileSync(path.join(work, "status"), "");
  sh("apt-get", [
    "install",
    "-y",
    "-qq",
    "--download-only",
    "--no-install-recommends",
    "-o",
    `Dir::State::status=${path.join(work, "status")}`,
    "-o",
    `Dir::Cache::archives=${archives}`,
    "-o",
    "Debug::NoLocking=1",
    ...USER_PACKAGES,
  ]);
  const staging = path.join(work, "staging");
  for (const deb of readdirSync(archives).filter((f) => f.endsWith(".deb"))) extractDeb(path.join(archives, deb), staging);

  const cpio = new CpioWriter(p.base + ".tmp");
  const dirs = new Set();
  /** @param {string} d */
  const mkdirs = (d) => {
    const parts = d.split("/").filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const sub = parts.slice(0, i).join("/");
      if (!dirs.has(sub)) {
        dirs.add(sub);
        cpio.dir(sub);
      }
    }
  };
  for (const d of [
    "usr/bin",
    "usr/sbin",
    "usr/lib/x86_64-linux-gnu/qemu",
    "usr/lib64",
    "usr/local/sbin",
    "proc",
    "sys",
    "dev",
    "tmp",
    "run",
    "store",
    "etc/cowherd",
    "etc/sudoers.d",
    "etc/pam.d",
    "etc/ssh",
    "var/lib",
    "cowherd",
    "modules",
    "project",
  ])
    mkdirs(d);
  for (const [link, target] of /** @type {const} */ ([
    ["bin", "usr/bin"],
    ["sbin", "usr/sbin"],
    ["lib", "usr/lib"],
    ["lib64", "usr/lib64"],
    ["var/run", "/run"],
  ]))
    cpio.symlink(link, target);
  cpio.file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  cpio.file("etc/group", "root:x:0:\n");

  const libDirs = ["lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu"].map((d) => path.join(staging, d)).join(":");
  /** @type {Set<string>} */
  const libs = new Set();
  /** @param {string} src @param {string} dest */
  const addElf = (src, dest, perm = 0o755) => {
    cpio.file(dest.replace(/^\//, ""), readFileSync(src), perm);
    for (const l of libsOf(src, libDirs)) libs.add(l);
  };
  const provided = new Set();
  for (const [dest, name] of Object.entries(BINARIES)) {
    if (!name) continue;
    const src = findIn(staging, name);
    if (!src) throw new Error(`${name} not found in the downloaded packages`);
    mkdirs(path.dirname(dest).replace(/^\//, ""));
    addElf(realpathSync(src), dest, MODES[dest] ?? 0o755);
    provided.add(path.basename(dest));
  }
  /** @param {string} f */
  const isElf = (f) =>
    readFileSync(f)
      .subarray(0, 4)
      .equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  /** @param {string} rel */
  const addTree = (rel) => {
    const root = path.join(staging, rel);
    if (!existsSync(root)) throw new Error(`${rel} not found in the downloaded packages`);
    /** @param {string} dir */
    const walk = (dir) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        const dest = path.relative(staging, p);
        if (e.isDirectory()) walk(p);
        else if (e.isSymbolicLink()) mkdirs(path.dirname(dest)), cpio.symlink(dest, readlinkSync(p));
        else if (isElf(p)) mkdirs(path.dirname(dest)), addElf(p, "/" + dest, 0o755);
        else mkdirs(path.dirname(dest)), cpio.file(dest, readFileSync(p), 0o644);
      }
    };
    walk(root);
  };
  TREES.forEach(addTree);
  for (const rel of EXTRA_FILES) {
    const src = path.join(staging, rel);
    if (!existsSync(src)) throw new Error(`${rel} not found in the downloaded packages`);
    const dest = rel.replace(/^lib\//, "usr/lib/"); // /lib is a link to /usr/lib in the guest
    mkdirs(path.dirname(dest));
    addElf(realpathSync(src), "/" + dest, 0o644);
  }
  addElf(process.execPath, "/usr/bin/node");
  const iscsiModule = path.join(staging, "usr/lib/x86_64-linux-gnu/qemu/block-iscsi.so");
  if (!existsSync(iscsiModule)) throw new Error("qemu-block-extra has no block-iscsi.so");
  addElf(iscsiModule, "/usr/lib/x86_64-linux-gnu/qemu/block-iscsi.so", 0o644);
  // glibc loads libgcc_s at run time for pthread_cancel: tgtd aborts on LUN delete without it.
  libs.add(realpathSync("/lib/x86_64-linux-gnu/libgcc_s.so.1"));
  for (const lib of libs) {
    const name = path.basename(lib);
    if (name.startsWith("ld-linux")) continue;
    cpio.file(`usr/lib/x86_64-linux-gnu/${name}`, readFileSync(realpathSync(lib)), 0o755);
  }
  cpio.file("usr/lib64/ld-linux-x86-64.so.2", readFileSync(realpathSync("/lib64/ld-linux-x86-64.so.2")), 0o755);
  // busybox applets for what the packages do not provide (sh, mount, insmod, ip, poweroff, sleep…).
  const applets = spawnSync(path.join(staging, "bin/busybox"), ["--list"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
  for (const a of applets) if (!provided.has(a) && a !== "busybox") cpio.symlink(`usr/bin/${a}`, "busybox");
  for (const m of [...modOrder, ...xfsOrder]) cpio.file(`modules/${m}.ko`, readFileSync(path.join(work, "modules", `${m}.ko`)));
  cpio.file("modules/order", modOrder.join("\n") + "\n");
  cpio.file("modules/order-xfs", xfsOrder.join("\n") + "\n");
  cpio.close();
  buildClient(p.client, path.join(staging, "bin/busybox"), path.join(work, "modules"), modOrder);
  copyFileSync(p.base + ".tmp", p.base);
  rmSync(p.base + ".tmp");
  writeFileSync(p.key, key);
  rmSync(work, { recursive: true, force: true });
  log(`built in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${(statSync(p.base).size / 1048576).toFixed(0)} MiB initramfs`);
  return p;
}

if (import.meta.url === `file://${process.argv[1]}`) buildGuest(path.resolve(process.argv[2] ?? ".cache/guest"));
