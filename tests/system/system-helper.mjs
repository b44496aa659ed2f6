// @ts-check
// The privileged helper on a real kernel, run by root as an admin would from the shell.
import { closeSync, openSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { check } from "./checks.mjs";
import {
  compareWithMaster,
  cowLoopOf,
  helper,
  installHelper,
  iqn,
  qemuIo,
  setupOs,
  sh,
  sleep,
  startTgtd,
  stopTgtd,
  writeConfig,
  writeMaster,
} from "./guest-lib.mjs";

const status = () => {
  const r = helper("status");
  return Object.fromEntries((r.json?.machines ?? []).map((m) => [m.id, m]));
};
const isFresh = (/** @type {import("./guest-lib.mjs").Doc | undefined} */ m) => m && m.state === "ok" && m.usedSectors === 16 && m.totalSectors === 32768;
export const PCS = [
  { id: 1, name: "pc1", ip: "127.0.0.41", dmName: "retrocow1" },
  { id: 2, name: "pc2", ip: "127.0.0.42", dmName: "retrocow2" },
  { id: 3, name: "pc3", ip: "127.0.0.43", dmName: "retrocow3", mode: "PO" },
];

export async function helperChecks() {
  setupOs();
  writeMaster();
  writeConfig(PCS);
  await startTgtd();
  const inst = installHelper();
  check("deploy/install-helper.sh installs the helper root-owned and the sudoers file (visudo-checked)", inst.code === 0 && /parsed OK/.test(inst.stdout), {
    out: inst.stdout,
    err: inst.stderr,
  });

  // 0. the helper refuses bad input before doing anything
  for (const bad of [["reset", "1;reboot"], ["reset", "015"], ["reset", "4"], ["frobnicate"], ["reset"], ["up", "--help"], ["serve", "1"]]) {
    const r = helper(...bad);
    check(`helper refuses ${JSON.stringify(bad)} with exit 2`, r.code === 2 && r.json?.error?.code === "usage", { code: r.code, out: r.stdout });
  }
  check("nothing was set up by refused calls", sh("/usr/sbin/dmsetup", ["ls"]).stdout.includes("No devices found"), {});

  // 1. up: three PCs over one master, each LUN identical to the master, kernel numbers in status
  const up = helper("up");
  check("up 1 2 3 succeeds", up.code === 0 && up.json?.ok, up.json);
  for (const dm of ["retrocow1", "retrocow2", "retrocow3"]) {
    const c = compareWithMaster(dm);
    check(`${dm} LUN reads identical to the master`, c.identical, { out: c.stdout, err: c.stderr });
  }
  let s = status();
  check(
    "status shows the kernel's fresh numbers 16/32768 16 and exported LUNs",
    [1, 2, 3].every((i) => isFresh(s[i]) && s[i].metadataSectors === 16 && s[i].exported && !s[i].suspended),
    s,
  );
  check("master attached read-only once", sh("/usr/sbin/losetup", ["-j", "/store/master.img"]).stdout.trim().split("\n").length === 1, {});

  // 2. writes over iSCSI raise usage; a held-open session shows the PC online with its IP
  check("write 1 MiB to pc1 over iSCSI", qemuIo("retrocow1", "write -P 0xaa 8M 1M").ok);
  check("write 2 MiB to pc2 over iSCSI", qemuIo("retrocow2", "write -P 0xbb 4M 2M").ok);
  s = status();
  check("pc1 usage is 2072/32768 24 after 1 MiB", s[1]?.usedSectors === 2072 && s[1]?.metadataSectors === 24, s[1]);
  check("pc2 usage rose", s[2]?.usedSectors > 4096, s[2]);
  const held = spawn("/usr/bin/qemu-io", ["-f", "raw", `iscsi://127.0.0.1/${iqn("retrocow1")}/1`], { stdio: ["pipe", "ignore", "ignore"] });
  let online = null;
  for (let i = 0; i < 40 && !online; i++) {
    await sleep(250);
    const st = status();
    if (st[1]?.online) online = st;
  }
  check(
    "held-open session: pc1 online from 127.0.0.1, pc2 offline",
    !!online?.[1].initiators.some((/** @type {{ ip?: string }} */ x) => x.ip === "127.0.0.1") && !online[2].online,
    online?.[1],
  );
  held.stdin.end("quit\n");
  await new Promise((r) => held.once("exit", r));

  // 3. reset 1 in place: identical to master again, fresh usage; pc2 untouched; the LUN never went away
  const r1 = helper("reset", "1");
  const steps = r1.json?.reports?.[0]?.steps?.map((/** @type {{ step: string }} */ x) => x.step);
  check(
    "reset 1 runs check, dm-error, cow-zero, dm-load, dm-resume",
    r1.code === 0 && r1.json?.reports?.[0]?.ok && JSON.stringify(steps) === JSON.stringify(["check", "dm-error", "cow-zero", "dm-load", "dm-resume"]),
    r1.json,
  );
  check("pc1 identical to master after reset", compareWithMaster("retrocow1").identical);
  s = status();
  check("pc1 usage back to 16/32768 16, LUN exported throughout", isFresh(s[1]) && s[1].metadataSectors === 16 && s[1].exported, s[1]);
  check("pc2 data untouched by pc1's reset", qemuIo("retrocow2", "read -P 0xbb 4M 2M").ok && s[2].usedSectors > 4096);
  check(
    "no journal or lock holder left behind",
    !sh("/usr/bin/busybox", ["ls", "/run/cowherd"]).stdout.includes("reset-"),
    sh("/usr/bin/busybox", ["ls", "/run/cowherd"]).stdout,
  );

  // 4. overflow: P -> Invalid (reads fail), PO -> Overflow (reads work); reset brings both back
  qemuIo("retrocow1", "write -P 0xcc 0 24M");
  s = status();
  check("pc1 (P) overfilled reports Invalid", s[1]?.state === "invalid", s[1]);
  check("reads of an Invalid snapshot fail over iSCSI (bsoflags direct)", !qemuIo("retrocow1", "read 0 64k").ok);
  qemuIo("retrocow3", "write -P 0xcc 0 24M");
  s = status();
  check("pc3 (PO) overfilled reports Overflow", s[3]?.state === "overflow", s[3]);
  check("reads of an Overflow snapshot still work", qemuIo("retrocow3", "read -P 0xcc 0 1M").ok);
  const r13 = helper("reset", "1", "3");
  check("reset 1 3 succeeds", r13.code === 0, r13.json);
  s = status();
  check("pc1 and pc3 fresh again after reset", isFresh(s[1]) && isFresh(s[3]), { 1: s[1], 3: s[3] });
  check("pc1 identical to master after Invalid reset", compareWithMaster("retrocow1").identical);
  check("pc3 identical to master after Overflow reset", compareWithMaster("retrocow3").identical);

  // 5. grow raises the total at once; later writes succeed
  const g = helper("grow", "1", "32");
  check("grow 1 32 MiB reports 65536 total sectors", g.code === 0 && g.json?.totalSectors === 65536, g.json);
  check("a 20 MiB write (more than the old COW) succeeds after grow", qemuIo("retrocow1", "write -P 0xdd 0 20M").ok);
  s = status();
  check("pc1 still valid with usage above the old total", s[1]?.state === "ok" && s[1].usedSectors > 32768 && s[1].totalSectors === 65536, s[1]);
  const gs = helper("grow", "1", "16");
  check("grow to a smaller size is refused", gs.code === 2, gs.json);

  // 6a. a device held open (a PC using its disk): the in-place reset works anyway, and only its PC
  qemuIo("retrocow3", "write -P 0xee 1M 1M");
  const fd = openSync("/dev/mapper/retrocow2", "r");
  const busy = helper("reset", "3");
  closeSync(fd);
  check("device held open elsewhere: pc3's reset succeeds in place", busy.code === 0 && compareWithMaster("retrocow3").identical, busy.json);
  s = status();
  check("pc2 (held open, not reset) keeps its data", s[2]?.exported && !s[2].suspended && qemuIo("retrocow2", "read -P 0xbb 4M 2M").ok, s[2]);

  // 6b. tgtd down: a reset never touches the target, so it still cleans the disk, but a PC nobody can
  // reach is no success: it fails at export; status says the target cannot be read
  await stopTgtd();
  const down = helper("reset", "2");
  const downReport = down.json?.reports?.[0];
  check(
    "tgtd down: reset cleans the disk but fails at export (exit 1, outcome fresh): the PC is not reachable",
    down.code === 1 && downReport?.outcome === "fresh" && downReport?.failedStep === "export",
    down.json,
  );
  const st = helper("status");
  check(
    "tgtd down: status still reads every PC's numbers, each with the target's failure as its problem, not exported",
    st.code === 0 && !!st.json?.machines?.every((m) => m.state === "ok" && !m.exported && /iSCSI target does not answer \(.*tgtadm/.test(m.problem ?? "")),
    st.json,
  );
  await startTgtd();
  const reup = helper("up");
  check(
    "up after tgtd restart re-creates targets and LUNs",
    reup.code === 0 && !!reup.json?.machines?.every((m) => m.actions.includes("lun-online")),
    reup.json,
  );
  check("pc2 identical to master (its reset while tgtd was down)", compareWithMaster("retrocow2").identical);
  check("pc1 data survived the outage", qemuIo("retrocow1", "read -P 0xdd 0 20M").ok);

  // 7. a half-done reset a dead process left (error table live, journal): status only reports it; the next reset repairs it first
  const table3 = sh("/usr/sbin/dmsetup", ["table", "retrocow3"]).stdout.trim();
  qemuIo("retrocow3", "write -P 0x77 2M 1M");
  sh("/usr/sbin/dmsetup", ["wipe_table", "retrocow3"]);
  writeFileSync("/run/cowherd/reset-3.json", JSON.stringify({ pid: 999999, startedAt: Date.now(), step: "dm-error" }));
  s = status();
  check(
    "status reports the half state (no numbers) and changes nothing",
    s[3]?.state === "unknown" && sh("/usr/sbin/dmsetup", ["table", "retrocow3"]).stdout.includes(" error"),
    s[3],
  );
  const rep = helper("repair");
  s = status();
  check(
    "repair brings the old snapshot back (header intact: the PC's data)",
    rep.code === 0 &&
      s[3]?.state === "ok" &&
      qemuIo("retrocow3", "read -P 0x77 2M 1M").ok &&
      sh("/usr/sbin/dmsetup", ["table", "retrocow3"]).stdout.trim() === table3,
    { rep: rep.json, s3: s[3] },
  );

  // 8. up is idempotent; after a "reboot" (all torn down, files kept) up restores every PC with its content
  const again = helper("up");
  check("up twice is a no-op", again.code === 0 && !!again.json?.machines?.every((m) => m.actions.length === 0), again.json);
  const teardown = helper("down", "1", "2", "3");
  check("down 1 2 3 tears everything down", teardown.code === 0 && sh("/usr/sbin/dmsetup", ["ls"]).stdout.includes("No devices found"), teardown.json);
  sh("/usr/sbin/losetup", ["--detach-all"]);
  await stopTgtd();
  await startTgtd();
  const boot = helper("up");
  check(
    "up after a reboot restores all three PCs",
    boot.code === 0 && !!boot.json?.machines?.every((m) => m.actions.includes("dm-created") && m.actions.includes("lun-online")),
    boot.json,
  );
  check("pc1 content kept across the reboot", qemuIo("retrocow1", "read -P 0xdd 0 20M").ok);
  check("pc3 content kept across the reboot", qemuIo("retrocow3", "read -P 0x77 2M 1M").ok);
  check("pc2 still identical to master after the reboot", compareWithMaster("retrocow2").identical);

  // 9. regression: the 2010 reload recipe does not reset a snapshot on this kernel
  const table = sh("/usr/sbin/dmsetup", ["table", "retrocow2"]).stdout.trim();
  qemuIo("retrocow2", "write -P 0x99 4M 2M");
  const cowLoop = cowLoopOf("retrocow2");
  sh("/usr/sbin/tgtadm", ["--lld", "iscsi", "--op", "delete", "--mode", "logicalunit", "--tid", "2", "--lun", "1"]);
  sh("/usr/sbin/dmsetup", ["suspend", "retrocow2"]);
  sh("/usr/bin/dd", ["if=/dev/zero", `of=${cowLoop}`, "bs=1M", "oflag=direct", "status=none"]);
  sh("/usr/sbin/dmsetup", ["reload", "retrocow2", "--table", table]);
  sh("/usr/sbin/dmsetup", ["resume", "retrocow2"]);
  sh("/usr/sbin/tgtadm", [
    "--lld",
    "iscsi",
    "--op",
    "new",
    "--mode",
    "logicalunit",
    "--tid",
    "2",
    "--lun",
    "1",
    "-b",
    "/dev/mapper/retrocow2",
    "--bsoflags",
    "direct",
  ]);
  const seed = compareWithMaster("retrocow2");
  check("the seed's suspend/zero/reload/resume leaves pc2 NOT identical to master (why it is not used)", !seed.identical && seed.code !== 2, {
    out: seed.stdout,
  });
  const fix = helper("reset", "2");
  check("cowherd's reset repairs what the seed recipe left", fix.code === 0 && compareWithMaster("retrocow2").identical, fix.json);
}
