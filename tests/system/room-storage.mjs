// @ts-check
// The room test's storage host (scenario "room"), run in the guest by scripts/room-test.mjs.
// It sets the host up the way the README tells an admin to: the helper and sudoers, tgtd, `up` for
// every PC, dnsmasq from `cowherd dhcp-config`, the built app as its own user on every address.
// The test on the host then drives it: PCs on the LAN, Chromium through the forwarded web port, and
// a small control server (forwarded too) for what an admin would do at the storage host's console.
import { createServer } from "node:http";
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { spawn } from "node:child_process";
import { APP_PORT, CONFIG, emit, helper, installHelper, MASTER, PROJECT, setupOs, sh, sleep, startApp, startTgtd, stopTgtd, envOf } from "./guest-lib.mjs";

export const ROOM = {
  lanAddress: "10.13.0.1",
  lanMac: "52:54:00:13:00:01",
  linkMac: "52:54:00:13:00:02",
  /** QEMU user networking's guest address: hostfwd reaches the guest here. */
  linkAddress: "10.0.2.15",
  controlPort: 9000,
  pcs: [1, 2, 3].map((id) => ({ id, name: `retro-0${id}`, ip: `10.13.0.${40 + id}`, mac: `52:54:00:13:00:${40 + id}`, dmName: `retrocow${id}` })),
};
const TFTP = "/run/tftp";
const CLI = ["/project/node_modules/tsx/dist/cli.mjs", "/project/scripts/cowherd-cli.ts"];

function iface(/** @type {string} */ mac) {
  const name = readdirSync("/sys/class/net").find((n) => readFileSync(`/sys/class/net/${n}/address`, "utf8").trim() === mac);
  if (!name) throw new Error(`no network interface with MAC ${mac}`);
  return name;
}

function network() {
  const lan = iface(ROOM.lanMac);
  const link = iface(ROOM.linkMac);
  for (const [dev, addr] of /** @type {[string, string][]} */ ([
    [lan, `${ROOM.lanAddress}/24`],
    [link, `${ROOM.linkAddress}/24`],
  ])) {
    sh("/usr/bin/ip", ["addr", "add", addr, "dev", dev]);
    sh("/usr/bin/ip", ["link", "set", dev, "up"]);
  }
  return { lan, link };
}

function writeRoomConfig() {
  mkdirSync("/etc/cowherd", { recursive: true });
  writeFileSync(
    CONFIG,
    JSON.stringify({
      lanName: "RetroLAN",
      host: "real",
      machines: ROOM.pcs,
      // One group, its PCs with a game disk (hooked as their second BIOS drive by the boot script).
      groups: [{ name: GAME_GROUP, label: "Retro PCs", gameDisk: { master: GAME_MASTER, cowSizeMiB: 8 } }],
      defaults: { cowSizeMiB: 16, chunkSectors: 8, mode: "P" },
      storage: { master: MASTER, cowDir: "/store", iqnPrefix: "iqn.2026-11.test.cowherd", backend: "tgt", access: "machine", reserveMiB: 16 },
      // keepSan off: a PC whose system ends (INT 18h) has iPXE close its session, as Windows logs out.
      // clearGateway on: the PCs' iPXE really takes the script's gateway lines (the target is on their own subnet).
      ipxe: { server: `${ROOM.lanAddress}:${APP_PORT}`, keepSan: false, clearGateway: true, offlineAfterSeconds: 4, retrySeconds: 30, bootTimeoutSeconds: 120 },
      statusCacheMs: 500,
    }),
  );
}

/** The group's game disk master (config groups[].gameDisk): its first sector holds its marker, as text. */
export const GAME_MASTER = "/store/games.img";
export const GAME_GROUP = "retro";

/**
 * The master: the test's boot program in a 32 MiB disk, its first sector at LBA 0 and its second at
 * LBA 2 (LBA 1 is its boot counter). The game disk's master: 8 MiB, "GAME-V1" in its first sector.
 */
function writeMaster() {
  mkdirSync("/store", { recursive: true });
  const disk = Buffer.alloc(32 * 1048576);
  const program = readFileSync("/cowherd/retro-boot.bin");
  program.copy(disk, 0, 0, 512);
  program.copy(disk, 1024, 512, 1024);
  writeFileSync(MASTER, disk);
  const games = Buffer.alloc(8 * 1048576);
  games.write("GAME-V1\0", 0, "latin1");
  writeFileSync(GAME_MASTER, games);
}

/**
 * A new game disk version, the way an admin makes one at the console: update mode for `pc` (a copy
 * of the current game disk), its marker written into the draft, published. The helper's answers.
 */
function publishGameDisk(/** @type {number} */ pc, /** @type {string} */ marker) {
  const group = ["--group", GAME_GROUP, "--disk", "game"];
  const update = helper("image-update", String(pc), "--disk", "game");
  const images = helper("images", ...group);
  /** @type {{ n: number, state: string } | null | undefined} */
  const draft = images.json?.images?.draft;
  if (draft?.state !== "ready") return { update: update.json, images: images.json, published: null };
  const file = `/store/games.v${draft.n}.draft`;
  const fd = openSync(file, "r+");
  try {
    writeSync(fd, Buffer.from(`${marker}\0`, "latin1"), 0, marker.length + 1, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const published = helper("image-publish", ...group);
  return { update: update.json, file, published: published.json, code: published.code };
}

/** @type {import("node:child_process").ChildProcessByStdio<null, import("node:stream").Readable, import("node:stream").Readable> | null} */
let dnsmasq = null;

/** dnsmasq on the LAN only, its config exactly what `cowherd dhcp-config` prints. */
async function startDnsmasq(/** @type {string} */ lan) {
  const env = { COWHERD_CONFIG: CONFIG, PATH: "/usr/bin:/usr/sbin", HOME: "/root", TMPDIR: "/tmp" };
  const conf = sh("/usr/bin/node", [...CLI, "dhcp-config", "--tftp-root", TFTP], { env, cwd: PROJECT });
  const chain = sh("/usr/bin/node", [...CLI, "dhcp-config", "--format", "chain"], { env, cwd: PROJECT });
  if (conf.code !== 0 || chain.code !== 0) throw new Error(`dhcp-config failed: ${conf.stderr}${chain.stderr}`);
  mkdirSync(TFTP, { recursive: true });
  writeFileSync(`${TFTP}/cowherd.ipxe`, chain.stdout);
  writeFileSync("/etc/cowherd/dnsmasq.conf", conf.stdout);
  emit("DHCP", { config: conf.stdout, chain: chain.stdout });
  const child = spawn(
    "/usr/sbin/dnsmasq",
    [
      "--keep-in-foreground",
      "--log-facility=-",
      "--log-dhcp",
      "--conf-file=/etc/cowherd/dnsmasq.conf",
      "--port=0",
      `--interface=${lan}`,
      "--bind-interfaces",
      "--dhcp-leasefile=/run/dnsmasq.leases",
      "--pid-file=/run/dnsmasq.pid",
      "--user=root",
      "--group=root",
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: envOf({ PATH: "/usr/sbin:/usr/bin" }) },
  );
  const log = (/** @type {Buffer} */ d) =>
    d
      .toString()
      .split("\n")
      .filter(Boolean)
      .forEach((l) => process.stdout.write(`dnsmasq: ${l}\n`));
  dnsmasq = child;
  child.stdout.on("data", log);
  child.stderr.on("data", log);
  child.unref();
  await sleep(500);
  if (child.exitCode !== null) throw new Error(`dnsmasq exited ${child.exitCode}`);
}

const ids = ROOM.pcs.map((p) => String(p.id));

/** Everything a reboot loses (dm, loops, tgtd's exports, /run), then what the boot brings back. */
/** @param {Awaited<ReturnType<typeof startApp>>} app */
async function reboot(app) {
  await app.stop();
  await stopTgtd();
  const removed = sh("/usr/sbin/dmsetup", ["remove_all", "--force"]);
  const detached = sh("/usr/sbin/losetup", ["-D"]);
  rmSync("/run/cowherd", { recursive: true, force: true });
  const gone = sh("/usr/sbin/dmsetup", ["ls"]).stdout.trim();
  await startTgtd();
  const up = helper("up", ...ids);
  return { torn: { dm: removed.code, loops: detached.code, dmLeft: gone }, up: up.json, upCode: up.code, app: await startApp({ HOST: "0.0.0.0" }) };
}

export async function room() {
  setupOs();
  const { lan } = network();
  writeMaster();
  writeRoomConfig();
  await startTgtd();
  const inst = installHelper();
  if (inst.code !== 0) throw new Error(`install-helper: ${inst.stderr}`);
  const up = helper("up", ...ids);
  if (up.code !== 0) throw new Error(`up: ${up.stdout}${up.stderr}`);
  await startDnsmasq(lan);
  let app = await startApp({ HOST: "0.0.0.0" });
  emit("ROOM-READY", { lan: ROOM.lanAddress });

  // The host test's hands at this machine's console. Fixed actions only, JSON answers.
  /** @type {() => void} */
  let finish = () => undefined;
  const finished = new Promise((r) => (finish = () => r(undefined)));
  /** @type {Record<string, () => Promise<unknown>>} */
  const actions = {
    ready: async () => ({ ok: true }),
    "kernel-status": async () => helper("status").json,
    /** The legacy route asked from this host's own LAN address: not one of the PCs. */
    "legacy-self": async () => {
      const r = await fetch(`http://${ROOM.lanAddress}:${APP_PORT}/cgi/status`);
      return { status: r.status, body: await r.text() };
    },
    reboot: async () => {
      const r = await reboot(app);
      app = r.app;
      return { ...r, app: undefined };
    },
    "tgtd-stop": async () => (await stopTgtd(), { ok: true }),
    "tgtd-start": async () => {
      await startTgtd();
      const repaired = helper("repair");
      return { code: repaired.code, repair: repaired.json };
    },
    "app-log": async () => ({ log: app.log().slice(-20000) }),
    /** A game disk version 2 made on PC 3 (off) and published: "GAME-V2" in its first sector. */
    "game-publish": async () => publishGameDisk(3, "GAME-V2"),
    "dnsmasq-leases": async () => ({ leases: readFileSync("/run/dnsmasq.leases", "utf8") }),
    finish: async () => (setTimeout(finish, 100), { ok: true }),
  };
  const server = createServer(async (req, res) => {
    const name = (req.url ?? "").replace(/^\//, "");
    const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
    let status = 200;
    let body;
    try {
      if (!action) throw Object.assign(new Error(`no action ${name}`), { status: 404 });
      body = await action();
    } catch (e) {
      status = /** @type {{ status?: number }} */ (e).status ?? 500;
      body = { error: String(e instanceof Error ? e.stack : e) };
    }
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  await new Promise((r) => server.listen(ROOM.controlPort, ROOM.linkAddress, () => r(undefined)));
  await finished;
  server.close();
  await app.stop();
  dnsmasq?.kill();
  await stopTgtd();
}
