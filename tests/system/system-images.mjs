// @ts-check
// Master image versions on a real kernel, the helper run by root as an admin would from the shell:
// update mode on PC 1 writing pattern B into the draft, publish as v2, reset PC 2 onto it, PC 3 kept
// on v1 with v1 attached, rollback, a refused delete, and a copy killed half way cleaned up.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs";
import { check } from "./checks.mjs";
import { compareWithMaster, emit, helper, HELPER, lunUrl, MASTER, qemuIo, sh, sleep, writeConfig, envOf } from "./guest-lib.mjs";
import { PCS } from "./system-helper.mjs";

const STATE = "/var/lib/cowherd-helper/images.json";
const V2 = "/store/master.v2.img";
const UPDATE = "iscsi://127.0.0.1/iqn.2026-11.test.cowherd:update/1";
const state = () => JSON.parse(readFileSync(STATE, "utf8"));
const pcs = () => Object.fromEntries((helper("status").json?.machines ?? []).map((m) => [m.id, m]));
const loopsOf = (/** @type {string} */ file) => sh("/usr/sbin/losetup", ["-j", file, "-n", "-O", "NAME"]).stdout.trim().split("\n").filter(Boolean);
const compareWith = (/** @type {string} */ file, /** @type {string} */ dm) => {
  const r = sh("/usr/bin/qemu-img", ["compare", "-f", "raw", "-F", "raw", file, lunUrl(dm)]);
  return { ...r, identical: r.code === 0 && /Images are identical/.test(r.stdout) };
};

export async function imageChecks() {
  writeConfig(PCS);
  const base = helper("reset", "1", "2", "3");
  check("images: PCs 1-3 start fresh on the master (v1)", base.code === 0 && [1, 2, 3].every((id) => pcs()[id]?.version === 1), base.json);
  check("images: PC 3 writes its own data over v1", qemuIo("retrocow3", "write -P 0x33 1M 1M").ok);

  // Update mode on PC 1: a copy of v1, exported read-write on its own target; PC 1's disk untouched.
  const t0 = Date.now();
  let r = helper("image-update", "1");
  const copyMs = Date.now() - t0;
  const draft = r.json?.images?.draft;
  check(
    "image-update 1: the draft of v2 is ready, copied (tmpfs shares no blocks), on the update target",
    r.code === 0 && draft?.n === 2 && draft.state === "ready" && draft.method === "copy",
    r.json,
  );
  emit("MEASURE", { name: "image-update of a 64 MiB master on tmpfs (plain copy, helper start included)", ms: copyMs });
  check(
    "the draft holds v1's content and is sparse-aware (same size)",
    sh("/usr/bin/cmp", [MASTER, "/store/master.v2.draft"]).code === 0 && statSync("/store/master.v2.draft").size === statSync(MASTER).size,
  );
  check("pattern B written to the update target over iSCSI", sh("/usr/bin/qemu-io", ["-f", "raw", "-c", "write -P 0xbb 0 4M", UPDATE]).code === 0);
  check("PC 1's own LUN is untouched by update mode (identical to v1)", compareWithMaster("retrocow1").identical);
  r = helper("image-update", "2");
  check(
    "a second update is refused while one is in progress",
    r.code === 1 && r.json?.step === "refused" && /already in progress \(v2 on PC 1, ready\)/.test(r.json?.error ?? ""),
    r.json,
  );

  // Publish is refused while the update PC is connected to the update target.
  const held = spawn("/usr/bin/qemu-io", ["-f", "raw", UPDATE], { stdio: ["pipe", "ignore", "ignore"] });
  let online = false;
  for (let i = 0; i < 40 && !online; i++) {
    await sleep(250);
    online = !!helper("images").json?.images?.draft?.online;
  }
  r = helper("image-publish");
  check(
    "publish refused while PC 1 has a session on the update target; PC 1 counts as up",
    online && r.code === 1 && r.json?.step === "refused" && /pc1 is still connected to the update target/.test(r.json?.error ?? "") && pcs()[1]?.online,
    r.json,
  );
  held.stdin.end("quit\n");
  await new Promise((res) => held.once("exit", res));

  r = helper("image-publish");
  const st = r.json?.images;
  check(
    "publish: v2 is current, the draft is gone, the update target removed",
    r.code === 0 &&
      st?.current === 2 &&
      st.draft === null &&
      !/:update/.test(sh("/usr/sbin/tgtadm", ["--lld", "iscsi", "--op", "show", "--mode", "target"]).stdout),
    r.json,
  );
  check(
    "v2's file is read-only (0444) beside the master, the draft renamed",
    existsSync(V2) && (statSync(V2).mode & 0o777) === 0o444 && !existsSync("/store/master.v2.draft"),
    { mode: existsSync(V2) ? (statSync(V2).mode & 0o777).toString(8) : null },
  );
  check(
    "the state file says so, written by root",
    state().current === 2 &&
      state()
        .versions.map((/** @type {{ n: number }} */ v) => v.n)
        .join() === "1,2" &&
      (statSync(STATE).mode & 0o077) === 0,
    state(),
  );

  // PC 2 moves to v2 at its reset; PC 3, not reset, stays on v1 with its data, and v1 stays attached.
  r = helper("reset", "2");
  check("reset 2 onto v2: ok", r.code === 0 && r.json?.reports?.[0]?.ok, r.json);
  check("PC 2's LUN is identical to v2 (pattern B over v1)", compareWith(V2, "retrocow2").identical && qemuIo("retrocow2", "read -P 0xbb 0 4M").ok);
  let s = pcs();
  check("status: PC 2 on v2, PCs 1 and 3 still on v1", s[1]?.version === 1 && s[2]?.version === 2 && s[3]?.version === 1, s);
  check(
    "PC 3 still reads its own data over v1, and v1's blocks where it wrote none",
    qemuIo("retrocow3", "read -P 0x33 1M 1M").ok && qemuIo("retrocow3", "read -P 0x41 0 1M").ok,
  );
  check("v1 stays attached read-only while PCs use it; v2 attached too", loopsOf(MASTER).length === 1 && loopsOf(V2).length === 1, {
    v1: loopsOf(MASTER),
    v2: loopsOf(V2),
  });
  r = helper("image-delete", "1");
  check(
    "deleting v1 while PCs 1 and 3 sit on it is refused, in words",
    r.code === 1 && r.json?.step === "refused" && r.json?.error === "v1 is in use by PCs 1, 3: they move off it at their next reset" && existsSync(MASTER),
    r.json,
  );
  r = helper("image-delete", "2");
  check("deleting the current v2 is refused", r.code === 1 && /v2 is the current version/.test(r.json?.error ?? ""), r.json);

  // Rollback: v1 current again; PC 2 back on it at its reset; v2's loop goes (no PC on it), v2 stays.
  r = helper("image-current", "1");
  check("image-current 1 (rollback): ok", r.code === 0 && r.json?.images?.current === 1, r.json);
  r = helper("reset", "2");
  check("reset 2 after the rollback: identical to v1 again", r.code === 0 && compareWithMaster("retrocow2").identical, r.json);
  check("v2 detached once no PC uses it, its file kept", loopsOf(V2).length === 0 && existsSync(V2) && pcs()[2]?.version === 1);

  // A copy killed half way: the next start's repair deletes the draft; nothing half written is current.
  const victim = spawn(HELPER, ["image-update", "1"], { stdio: "ignore", env: envOf({ PATH: "/usr/sbin:/usr/bin", LC_ALL: "C", DM_DISABLE_UDEV: "1" }) });
  let copying = false;
  for (let i = 0; i < 20000 && !copying; i++) {
    try {
      copying = state().draft?.state === "copying";
    } catch {
      /* being replaced */
    }
  }
  victim.kill("SIGSTOP");
  const partial = existsSync("/store/master.v3.draft") ? statSync("/store/master.v3.draft").size : -1;
  victim.kill("SIGKILL");
  await /** @type {Promise<void>} */ (new Promise((res) => (victim.exitCode !== null || victim.signalCode ? res() : victim.once("exit", () => res()))));
  check(
    "killed during the copy: the state says copying (v3), the draft only part written",
    copying && state().draft?.n === 3 && state().draft?.state === "copying",
    { partial, draft: state().draft },
  );
  r = helper("images");
  check(
    "…status shows the draft as copying, never as a version",
    r.json?.images?.draft?.state === "copying" && r.json.images.versions.every((/** @type {{ n: number }} */ v) => v.n !== 3),
    r.json?.images,
  );
  r = helper("repair");
  const imageRepair = r.json?.machines?.find((m) => m.id === 0);
  check(
    "repair deletes the dead copy's draft (file, state) and leaves the versions as they were",
    imageRepair?.actions?.includes("draft-v3-deleted") &&
      !existsSync("/store/master.v3.draft") &&
      state().draft === null &&
      state().current === 1 &&
      loopsOf("/store/master.v3.draft").length === 0,
    { repair: r.json, state: state() },
  );

  // Discard: the draft and its export go; the next update gets v4 (numbers are never reused).
  r = helper("image-update", "1");
  check("image-update after the crash: v4", r.code === 0 && r.json?.images?.draft?.n === 4, r.json);
  r = helper("image-discard");
  check(
    "image-discard: no draft, no file, no loop, no update target",
    r.code === 0 &&
      r.json?.images?.draft === null &&
      !existsSync("/store/master.v4.draft") &&
      loopsOf("/store/master.v4.draft").length === 0 &&
      !/:update/.test(sh("/usr/sbin/tgtadm", ["--lld", "iscsi", "--op", "show", "--mode", "target"]).stdout),
    r.json,
  );

  // The old master is the current image again: the other scenarios see the room as they left it.
  s = pcs();
  check(
    "images: every PC consistent at the end (on v1, no problem)",
    [1, 2, 3].every((id) => s[id]?.state === "ok" && s[id].version === 1 && !s[id].problem),
    s,
  );
}

/**
 * The copy an update makes, timed on a filesystem that shares blocks (XFS with reflink, on a loop
 * device) and on one that does not (tmpfs), with the same 256 MiB master written in full. Runs with
 * a state and config of its own (moved aside and put back), so the room above is left as it was.
 */
export async function reflinkChecks() {
  const order = readFileSync("/modules/order-xfs", "utf8").split("\n").filter(Boolean);
  const loaded = order.every((m) => sh("/usr/bin/insmod", [`/modules/${m}.ko`]).code === 0);
  mkdirSync("/store/xfs", { recursive: true });
  mkdirSync("/store/plain", { recursive: true });
  sh("/usr/bin/truncate", ["-s", "600M", "/store/xfs.img"]);
  const dev = sh("/usr/sbin/losetup", ["--find", "--show", "/store/xfs.img"]).stdout.trim();
  const mkfs = sh("/usr/sbin/mkfs.xfs", ["-q", "-m", "reflink=1", dev]);
  const mounted = sh("/usr/bin/mount", ["-t", "xfs", dev, "/store/xfs"]);
  check("an XFS filesystem with reflink on a loop device", loaded && mkfs.code === 0 && mounted.code === 0, {
    order,
    mkfs: mkfs.stderr,
    mount: mounted.stderr,
  });
  const big = Buffer.alloc(256 * 1048576);
  for (let i = 0; i < 256; i++) big.fill((0x21 + i) & 0xff, i * 1048576, (i + 1) * 1048576);
  for (const dir of ["/store/xfs", "/store/plain"]) writeFileSync(`${dir}/master.img`, big);
  sh("/usr/bin/sync", []);
  renameSync(STATE, `${STATE}.room`);
  const pc7 = [{ id: 7, name: "pc7", ip: "127.0.0.47", dmName: "retrocow7" }];
  const storage = (/** @type {string} */ dir) => ({
    storage: { master: `${dir}/master.img`, cowDir: dir, iqnPrefix: "iqn.2026-11.test.cowherd", backend: "tgt", access: "all", reserveMiB: 16 },
  });
  const timed = (/** @type {string} */ dir) => {
    writeConfig(pc7, storage(dir));
    const free0 = statfsSync(dir).bfree * statfsSync(dir).bsize;
    const t0 = Date.now();
    const r = helper("image-update", "7");
    const ms = Date.now() - t0;
    const used = free0 - statfsSync(dir).bfree * statfsSync(dir).bsize;
    const same = sh("/usr/bin/cmp", [`${dir}/master.img`, `${dir}/master.v2.draft`]).code === 0;
    const discarded = helper("image-discard").code === 0;
    rmSync(STATE, { force: true });
    return { r, ms, usedMiB: Math.round(used / 1048576), same, discarded };
  };
  try {
    const x = timed("/store/xfs");
    check(
      "update on XFS, which has no room for a real copy: the draft is a reflink (identical, and it took no space)",
      x.r.code === 0 && x.r.json?.images?.draft?.method === "reflink" && x.same && x.usedMiB < 16 && x.discarded,
      { json: x.r.json, usedMiB: x.usedMiB },
    );
    emit("MEASURE", { name: "image-update of a 256 MiB master on XFS (reflink, helper start included)", ms: x.ms });
    const p = timed("/store/plain");
    check(
      "update on tmpfs: a full copy (identical, 256 MiB written)",
      p.r.code === 0 && p.r.json?.images?.draft?.method === "copy" && p.same && p.usedMiB >= 250 && p.discarded,
      { json: p.r.json, usedMiB: p.usedMiB },
    );
    emit("MEASURE", { name: "image-update of a 256 MiB master on tmpfs (chunked copy, helper start included)", ms: p.ms });
  } finally {
    rmSync(STATE, { force: true });
    renameSync(`${STATE}.room`, STATE);
    writeConfig(PCS);
    sh("/usr/bin/umount", ["/store/xfs"]);
    sh("/usr/sbin/losetup", ["--detach", dev]);
    rmSync("/store/xfs.img", { force: true });
    rmSync("/store/plain", { recursive: true, force: true });
  }
  const s = pcs();
  check(
    "after the copy timings the room is as it was (PCs 1-3 on v1, v1 current)",
    [1, 2, 3].every((id) => s[id]?.version === 1 && !s[id].problem) && state().current === 1,
    s,
  );
}
