#!/usr/bin/env node
// @ts-check
// `npm run test:room`: the real room. The storage guest (Debian's kernel: dm, tgtd, the helper, the
// built app, dnsmasq) and diskless QEMU PCs with Debian's iPXE share a LAN that is a UDP multicast
// group on loopback; the guest's only other link is user-mode networking (restrict=on) forwarding
// its web port and a control port to this machine's loopback, for Chromium and the test. The PCs
// boot a nasm-built program from their LUNs (tests/room/retro-boot.asm).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensureDebianPackages, runs } from "./debian-packages.mjs";
import { freePort } from "./free-port.mjs";
import { prepareGuest } from "./system-test.mjs";
import { runGuest } from "./guest/run-guest.mjs";
import { roomSteps } from "../tests/room/room-steps.mjs";

/** @type {{ name: string, ok: boolean, detail?: string }[]} */
const results = [];
/** @type {import("../tests/room/room-steps.mjs").Check} */
const check = (name, ok, detail) => {
  results.push({ name, ok: !!ok, detail: ok || detail === undefined ? undefined : JSON.stringify(detail).slice(0, 300) });
  console.log(`${ok ? "  ✓" : "  ✗"} ${name}${ok || detail === undefined ? "" : `\n      ${JSON.stringify(detail).slice(0, 2000)}`}`);
  return !!ok;
};

const t0 = Date.now();
// nasm builds the PCs' boot program.
if (!ensureDebianPackages([["nasm", runs("nasm", ["-v"])]], "the room test")) process.exit(1);
const { guest, files, cacheDir } = await prepareGuest();
const bin = path.join(cacheDir, "retro-boot.bin");
const asm = spawnSync("nasm", ["-f", "bin", "-o", bin, "tests/room/retro-boot.asm"], { encoding: "utf8" });
if (asm.status !== 0) throw new Error(`nasm: ${asm.stderr}`);
files["cowherd/retro-boot.bin"] = { data: readFileSync(bin) };

const ports = { web: await freePort(), control: await freePort() };
// A group and port of our own, so two runs on one machine never share a LAN.
const lan = { group: `230.13.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`, port: 20000 + Math.floor(Math.random() * 20000) };
const extraArgs = [
  "-netdev",
  `socket,id=lan,mcast=${lan.group}:${lan.port},localaddr=127.0.0.1`,
  "-device",
  "virtio-net-pci,netdev=lan,mac=52:54:00:13:00:01",
  "-netdev",
  `user,id=link,restrict=on,hostfwd=tcp:127.0.0.1:${ports.web}-10.0.2.15:3000,hostfwd=tcp:127.0.0.1:${ports.control}-10.0.2.15:9000`,
  "-device",
  "virtio-net-pci,netdev=link,mac=52:54:00:13:00:02",
];
console.log(`room: LAN ${lan.group}:${lan.port} on loopback; dashboard on http://127.0.0.1:${ports.web}`);
const stop = new AbortController();
const storage = runGuest(guest, { scenario: "room", files, workDir: cacheDir, smp: 2, extraArgs, timeoutMs: 60 * 60_000, signal: stop.signal });
let guestDone = false;
storage.then(() => (guestDone = true));

const shots = path.resolve("test-results/room");
mkdirSync(shots, { recursive: true });
const timings = {};
let crashed = null;
try {
  await roomSteps({ guest, cacheDir, lan, ports, shots, check, timings, guestDone: () => guestDone });
} catch (e) {
  crashed = e;
  check("room test ran to its end", false, String((e instanceof Error && e.stack) || e));
}
// Told to finish by the steps, the guest stops its services and powers off.
const res = await Promise.race([storage, new Promise((r) => setTimeout(() => r(null), crashed ? 1000 : 120_000))]);
if (!crashed) check("the storage guest stops its services and powers off when told", res?.exitCode === 0, res && { reason: res.reason, exit: res.exitCode });
if (!res) {
  stop.abort();
  await storage;
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
timings.total = (Date.now() - t0) / 1000;
console.log(`room test: ${JSON.stringify(timings)}`);
const failures = results.filter((r) => !r.ok).map((r) => (r.detail ? `${r.name}: ${r.detail}` : r.name));
writeFileSync("test-results/room.json", JSON.stringify({ passed, failed, failures, timings }));
console.log(`room: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
