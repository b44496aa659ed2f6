// @ts-check
// The shared game disk on a real kernel (issue 19 item 2): a group whose PCs see a second disk, the
// group's game master under a COW of their own, exported as LUN 2 of each PC's target with the game
// disk's SCSI identity. Both disks reset (or the game disk alone), and a game-disk version made from
// a draft, published and rolled back moves only the game disk of the PCs that are reset.
import { closeSync, existsSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { check } from "./checks.mjs";
import { emit, helper, iqn, sh, writeConfig } from "./guest-lib.mjs";
import { PCS } from "./system-helper.mjs";

const GAMES = "/store/games.img";
const GAMES_MIB = 16;
const PREFIX = "iqn.2026-11.test.cowherd";
/** The game master's byte at MiB i: 0x90 + i (the room's master is 0x41 + 7i: they never meet at MiB 0). */
const gameByte = (/** @type {number} */ i) => (0x90 + i) & 0xff;
const GROUPS = { groups: [{ name: "retro", gameDisk: { master: GAMES, cowSizeMiB: 8 } }] };
const MINE = [
  { id: 21, name: "pc21", ip: "127.0.0.61", dmName: "retrocow21" },
  { id: 22, name: "pc22", ip: "127.0.0.62", dmName: "retrocow22" },
];
const hex = (/** @type {number} */ b) => `0x${b.toString(16)}`;

/** The first byte of the system disk's current version (the room's master, or a version an earlier check published). */
function systemByte() {
  const s = JSON.parse(readFileSync("/var/lib/cowherd-helper/images.json", "utf8"));
  const fd = openSync(s.versions.find((/** @type {{ n: number }} */ v) => v.n === s.current).path, "r");
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, 0);
  closeSync(fd);
  return b[0] ?? -1;
}

/** A LUN of a PC's target over iSCSI (1: its system disk, 2: its game disk), as an initiator reads it. */
const lun = (/** @type {string} */ dm, /** @type {number} */ n) => `iscsi://127.0.0.1/${iqn(dm)}/${n}`;
/**
 * qemu-io on a LUN or a device (with O_DIRECT: a device's page cache would outlive a reset's table swap).
 * @param {string} target
 * @param {string} command
 */
function io(target, command) {
  const r = sh("/usr/bin/qemu-io", [...(target.startsWith("/dev/") ? ["-n"] : []), "-f", "raw", "-c", command, target]);
  return { ...r, ok: r.code === 0 && !/(failed|error|Pattern verification failed)/i.test(r.stdout + r.stderr) };
}
const reads = (/** @type {string} */ target, /** @type {number} */ byte) => io(target, `read -P ${hex(byte)} 0 1M`).ok;
const pcs = () => Object.fromEntries((helper("status").json?.machines ?? []).map((m) => [m.id, m]));
const targets = () => sh("/usr/sbin/tgtadm", ["--lld", "iscsi", "--op", "show", "--mode", "target"]).stdout;
/** One target's LUNs in tgtadm's words: number → { path, serial }. */
function lunsOf(/** @type {string} */ show, /** @type {string} */ targetIqn) {
  const block = show.split(/^(?=Target \d+: )/m).find((b) => b.split("\n")[0]?.endsWith(`: ${targetIqn}`)) ?? "";
  /** @type {Record<string, { path?: string, serial?: string }>} */
  const out = {};
  for (const part of block.split(/^\s*LUN: /m).slice(1)) {
    const n = part.split("\n")[0]?.trim() ?? "";
    out[n] = { path: /Backing store path: (.*)$/m.exec(part)?.[1]?.trim(), serial: /SCSI SN: (.*)$/m.exec(part)?.[1]?.trim() };
  }
  return out;
}

export async function gameDiskChecks() {
  const t0 = Date.now();
  const buf = Buffer.alloc(GAMES_MIB * 1048576);
  for (let i = 0; i < GAMES_MIB; i++) buf.fill(gameByte(i), i * 1048576, (i + 1) * 1048576);
  writeFileSync(GAMES, buf);
  writeConfig(MINE, GROUPS);

  let r = helper("up", "21", "22");
  const luns = lunsOf(targets(), iqn("retrocow21"));
  check(
    "game disk: up makes both disks of PCs 21 and 22 and exports both on the PC's target (tgtadm: LUN 1 the system disk, LUN 2 the game disk, serial CWHGAM1)",
    r.code === 0 &&
      luns["1"]?.path === "/dev/mapper/retrocow21" &&
      luns["1"]?.serial === "CWHSYS1" &&
      luns["2"]?.path === "/dev/mapper/retrocow21-game" &&
      luns["2"]?.serial === "CWHGAM1",
    { up: r.json, luns },
  );
  const cmp = sh("/usr/bin/qemu-img", ["compare", "-f", "raw", "-F", "raw", GAMES, lun("retrocow21", 2)]);
  check("game disk: PC 21's LUN 2 reads identical to the game master", cmp.code === 0 && /Images are identical/.test(cmp.stdout), cmp.stdout + cmp.stderr);
  let st = pcs();
  check(
    "game disk: status fills each PC's game disk (state ok, exported, version 1, 8 MiB COW)",
    st[21]?.game?.state === "ok" &&
      st[21].game.exported === true &&
      st[21].game.version === 1 &&
      st[21].game.totalSectors === 16384 &&
      st[22]?.game?.state === "ok",
    st[21],
  );

  const written = () => io("/dev/mapper/retrocow21", "write -P 0x11 0 1M").ok && io("/dev/mapper/retrocow21-game", "write -P 0x22 0 1M").ok;
  check(
    "game disk: data written through both dm devices reads back over both LUNs",
    written() && reads(lun("retrocow21", 1), 0x11) && reads(lun("retrocow21", 2), 0x22),
  );
  r = helper("reset", "21");
  const steps = (r.json?.reports?.[0]?.steps ?? []).map((/** @type {{ step: string }} */ s) => s.step);
  check(
    "game disk: reset resets both disks (game steps named game:…): LUN 1 reads the master again, LUN 2 the game master",
    r.code === 0 &&
      steps.includes("dm-resume") &&
      steps.includes("game:dm-resume") &&
      reads(lun("retrocow21", 1), systemByte()) &&
      reads(lun("retrocow21", 2), gameByte(0)),
    r.json,
  );
  written();
  r = helper("reset", "--disk", "game", "21");
  check(
    "game disk: reset --disk game resets the game disk only: the system COW keeps its data",
    r.code === 0 && reads(lun("retrocow21", 1), 0x11) && reads(lun("retrocow21", 2), gameByte(0)),
    r.json,
  );
  r = helper("reset", "--disk", "tape", "21");
  check(
    "game disk: a disk that is no disk kind (--disk tape) is refused as a usage error",
    r.code === 2 && r.json?.error?.code === "usage" && /--disk takes system or game/.test(r.json.error.message),
    r.json,
  );

  // A new version of the game disk: a draft on the game line's own update target.
  r = helper("image-update", "21", "--disk", "game");
  const update = `${PREFIX}:update-retro-game`;
  const upd = lunsOf(targets(), update);
  check(
    "game disk: update mode on PC 21 makes a draft of the game disk on its own update target (LUN 1, serial CWHGAM1)",
    r.code === 0 && r.json?.images?.disk === "game" && r.json.images.draft?.state === "ready" && upd["1"]?.serial === "CWHGAM1",
    { images: r.json, upd },
  );
  check("game disk: marker 0xEE written into the draft over iSCSI", io(`iscsi://127.0.0.1/${update}/1`, "write -P 0xee 0 1M").ok);
  r = helper("image-publish", "--group", "retro", "--disk", "game");
  check(
    "game disk: publish --disk game makes games v2 current (its own version file), the system disk's versions untouched",
    r.code === 0 && r.json?.images?.disk === "game" && r.json.images.current === 2 && existsSync("/store/games.v2.img") && !targets().includes(update),
    r.json,
  );
  r = helper("reset", "21");
  st = pcs();
  check(
    "game disk: PC 21 reset reads the new marker on its game disk (v2); PC 22, not reset, still reads the old game master (v1)",
    r.code === 0 && reads(lun("retrocow21", 2), 0xee) && st[21]?.game?.version === 2 && reads(lun("retrocow22", 2), gameByte(0)) && st[22]?.game?.version === 1,
    { reset: r.json, pc21: st[21]?.game, pc22: st[22]?.game },
  );
  r = helper("image-current", "1", "--group", "retro", "--disk", "game");
  const back = helper("reset", "21");
  check(
    "game disk: rollback (image-current 1 --disk game) and a reset: PC 21's game disk reads the old marker again",
    r.code === 0 && back.code === 0 && reads(lun("retrocow21", 2), gameByte(0)) && pcs()[21]?.game?.version === 1,
    { current: r.json, reset: back.json },
  );

  r = helper("down", "21", "22");
  check(
    "game disk: down takes both disks of PCs 21 and 22 down (both LUNs, targets, devices)",
    r.code === 0 && !targets().includes(iqn("retrocow21")) && !sh("/usr/sbin/dmsetup", ["ls"]).stdout.includes("retrocow21-game"),
    r.json,
  );
  // The room as the checks after this one expect it.
  writeConfig(PCS);
  emit("MEASURE", { name: "game disk checks", ms: Date.now() - t0 });
}
