// @ts-check
// Issue 16 on the real kernel: `up` killed between each of its steps (then repair and up finish the
// export, and an initiator can log in), a reset refused under an open session unless forced, and the
// agent's dm worker killed (the next reset starts a new one and succeeds).
import { spawn } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { check } from "./checks.mjs";
import { compareWithMaster, helper, HELPER, iqn, qemuIo, sh, sleep, writeConfig, envOf } from "./guest-lib.mjs";
import { PCS } from "./system-helper.mjs";

const KILL_AFTER = "/run/cowherd-kill-after";
const WRAPPED = ["/usr/sbin/tgtadm", "/usr/sbin/dmsetup", "/usr/sbin/losetup", "/usr/bin/fallocate"];
const pc3 = () => helper("status").json?.machines?.find((m) => m.id === 3);
/** The unit serial tgtd shows for PC 3's LUN 1 ("SCSI SN:"); its vendor and product only an INQUIRY shows (no sg_inq/iscsi-inq in the guest). */
const serial3 = () => {
  const out = sh("/usr/sbin/tgtadm", ["--lld", "iscsi", "--op", "show", "--mode", "target"]).stdout;
  const block = out.split(/^(?=Target \d+: )/m).find((b) => b.startsWith("Target 3: "));
  const lun1 = block?.split(/^\s*LUN: /m).find((l) => l.startsWith("1\n"));
  return lun1 ? (/^\s*SCSI SN: (.*)$/m.exec(lun1)?.[1]?.trim() ?? null) : null;
};
/** An initiator logs in to PC 3's LUN and reads from it. */
const login3 = () => qemuIo("retrocow3", "read 0 4k").ok;
/** PC 3 consistent and serving the master: its first and last MiB read as the master's (a whole-disk compare per kill point costs minutes under TCG; the end compares all). */
const consistent3 = () => {
  const m = pc3();
  return (
    !!m &&
    m.state === "ok" &&
    !m.problem &&
    m.exported &&
    // The system disk's SCSI identity (the same on every PC), whichever step the kill interrupted (helper/iscsi/identity.ts).
    serial3() === "CWHSYS1" &&
    qemuIo("retrocow3", "read -P 0x41 0 1M").ok &&
    qemuIo("retrocow3", `read -P 0x${((0x41 + 63 * 7) & 0xff).toString(16)} 63M 1M`).ok
  );
};

/**
 * Each tool behind a wrapper that runs it, then kills its caller (the helper) when its argv holds the
 * text in KILL_AFTER: the helper dies right after that step, as a power cut or an OOM kill would.
 */
function wrapTools() {
  for (const tool of WRAPPED) {
    renameSync(tool, `${tool}.real`);
    writeFileSync(
      tool,
      `#!/usr/bin/bash\n"$0.real" "$@"; rc=$?\nif [ -f ${KILL_AFTER} ] && [[ " $* " == *"$(cat ${KILL_AFTER})"* ]]; then kill -9 $PPID; fi\nexit $rc\n`,
    );
    chmodSync(tool, 0o755);
  }
}
function unwrapTools() {
  for (const tool of WRAPPED) renameSync(`${tool}.real`, tool);
}

async function upKilledAtEachStep() {
  /** @type {[string, string][]} */
  const STEPS = [
    ["--length 16777216 /store/retrocow3.cow", "the COW allocated"],
    ["--find --show /store/retrocow3.cow", "its loop attached"],
    ["create retrocow3", "dmsetup create"],
    ["--op new --mode target --tid 3", "the target created (not bound)"],
    ["--op bind --mode target --tid 3", "the target bound (no LUN)"],
    ["--op new --mode logicalunit --tid 3", "the LUN added (tgtd's default SCSI identity)"],
    ["--op update --mode logicalunit --tid 3", "the SCSI identity set"],
  ];
  wrapTools();
  try {
    for (const [i, [pattern, where]] of STEPS.entries()) {
      helper("down", "3");
      rmSync("/store/retrocow3.cow", { force: true });
      writeFileSync(KILL_AFTER, pattern);
      const killed = helper("up", "3");
      rmSync(KILL_AFTER);
      const st = pc3();
      const canLogIn = login3();
      check(
        `up killed after ${where}: it died there, and status calls PC 3 exported only if an initiator can log in`,
        killed.code !== 0 && !killed.json && !!st?.exported === canLogIn && (i < STEPS.length - 2 ? !canLogIn : true),
        { st, canLogIn, code: killed.code, err: killed.stderr.slice(-300) },
      );
      if (i === STEPS.length - 2)
        check(
          "up killed after the LUN was added: status names tgtd's own serial on it (Windows would see a new disk), not a healthy PC",
          /its LUN shows SCSI serial \S+, not the system disk's CWHSYS1/.test(st?.problem ?? ""),
          st,
        );
      if (i >= 2) {
        const rep = helper("repair");
        check(`up killed after ${where}: repair alone finishes the export (login works, reads the master)`, rep.code === 0 && consistent3(), {
          repair: rep.json,
          st: pc3(),
        });
      }
      const up = helper("up", "3");
      check(`up killed after ${where}: up then succeeds and PC 3 is consistent`, up.code === 0 && consistent3(), { up: up.json, st: pc3() });
    }
  } finally {
    rmSync(KILL_AFTER, { force: true });
    unwrapTools();
  }

  // A live device without its /dev/mapper node (no udev) and without its LUN: up makes the node and exports.
  sh("/usr/sbin/tgtadm", ["--lld", "iscsi", "--op", "delete", "--mode", "logicalunit", "--tid", "3", "--lun", "1"]);
  rmSync("/dev/mapper/retrocow3");
  const st = pc3();
  check("no /dev/mapper node: status names it and PC 3 is not exported", /no \/dev\/mapper node/.test(st?.problem ?? "") && !st?.exported, st);
  const up = helper("up", "3");
  check(
    "no /dev/mapper node: up makes the node and exports (was: tgtadm invalid request for ever)",
    up.code === 0 && existsSync("/dev/mapper/retrocow3") && consistent3(),
    up.json,
  );

  // A table-less device and no target at all, then reset as the next verb: answered ok only once exported.
  sh("/usr/sbin/tgtadm", ["--lld", "iscsi", "--op", "delete", "--force", "--mode", "target", "--tid", "3"]);
  sh("/usr/sbin/dmsetup", ["remove", "retrocow3"]);
  sh("/usr/sbin/dmsetup", ["create", "retrocow3", "--notable"]);
  const r = helper("reset", "3");
  check(
    "table-less device, no target, then reset: the reset answers fresh and PC 3 is exported (login works)",
    r.code === 0 && r.json?.reports?.[0]?.outcome === "fresh" && consistent3(),
    { reset: r.json, st: pc3() },
  );
}

async function resetUnderSession() {
  qemuIo("retrocow1", "write -P 0x5e 2M 1M");
  const held = spawn("/usr/bin/qemu-io", ["-f", "raw", `iscsi://127.0.0.1/${iqn("retrocow1")}/1`], { stdio: ["pipe", "ignore", "ignore"] });
  let online = false;
  for (let i = 0; i < 40 && !online; i++) {
    await sleep(250);
    online = !!helper("status").json?.machines?.find((m) => m.id === 1)?.online;
  }
  const r = helper("reset", "1");
  const rep = r.json?.reports?.[0];
  check(
    "reset 1 while an initiator holds a session: refused (exit 1, failedStep online), PC 1 untouched",
    online && r.code === 1 && rep?.failedStep === "online" && /open iSCSI session/.test(rep?.error ?? "") && qemuIo("retrocow1", "read -P 0x5e 2M 1M").ok,
    { online, out: r.json },
  );
  const f = helper("reset", "--force", "1");
  check("reset --force 1 under the same session: reset, fresh", f.code === 0 && f.json?.reports?.[0]?.outcome === "fresh", f.json);
  held.stdin.end("quit\n");
  await new Promise((res) => held.once("exit", res));
  check("…and PC 1 reads as the master once the session is gone", compareWithMaster("retrocow1").identical);
}

/** The agent as the app runs it: line-delimited JSON on its stdin and stdout. */
function agent() {
  const child = spawn(HELPER, ["serve"], { stdio: ["pipe", "pipe", "pipe"], env: envOf({ PATH: "/usr/sbin:/usr/bin", LC_ALL: "C", DM_DISABLE_UDEV: "1" }) });
  let buf = "";
  /** @type {Map<number, (msg: import("./guest-lib.mjs").Doc) => void>} */
  const waiting = new Map();
  /** @type {import("./guest-lib.mjs").Doc | null} */
  let hello = null;
  child.stdout.on("data", (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const msg = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (msg.hello) hello = msg.hello;
      else if (msg.id && waiting.has(msg.id)) waiting.get(msg.id)?.(msg), waiting.delete(msg.id);
    }
  });
  let next = 1;
  return {
    child,
    hello: () => hello,
    /** @type {(args: string[]) => Promise<import("./guest-lib.mjs").Doc>} */
    ask: (args) =>
      new Promise((res) => {
        const id = next++;
        waiting.set(id, res);
        child.stdin.write(JSON.stringify({ id, args }) + "\n");
      }),
    close: () => new Promise((res) => (child.once("exit", res), child.stdin.end())),
  };
}

/** The agent's dm worker: its perl child. */
function workerPid(/** @type {number | undefined} */ parent) {
  for (const d of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent && /perl/.test(readFileSync(`/proc/${d}/cmdline`, "utf8"))) return Number(d);
    } catch {
      /* gone meanwhile */
    }
  }
  return null;
}

async function workerKilled() {
  const a = agent();
  for (let i = 0; i < 100 && !a.hello(); i++) await sleep(100);
  const first = await a.ask(["reset", "2"]);
  const pid1 = workerPid(a.child.pid);
  check("agent: a reset starts its dm worker", first.code === 0 && pid1 !== null, { first: first.output, pid1 });
  if (pid1 !== null) process.kill(pid1, "SIGKILL");
  await sleep(300);
  qemuIo("retrocow2", "write -P 0x2b 1M 1M");
  const t0 = Date.now();
  const second = await a.ask(["reset", "2"]);
  const pid2 = workerPid(a.child.pid);
  check(
    "agent: after its dm worker is killed, the next reset starts a new one and succeeds fresh",
    second.code === 0 && second.output?.reports?.[0]?.outcome === "fresh" && pid2 !== null && pid2 !== pid1 && compareWithMaster("retrocow2").identical,
    { second: second.output, pid1, pid2, ms: Date.now() - t0 },
  );
  const grow = await a.ask(["grow", "2", "24", "--expect-sectors", "32768"]);
  const stale = await a.ask(["grow", "2", "32", "--expect-sectors", "32768"]);
  check(
    "agent: grow with the size it saw works; a second with the same (now stale) size is refused, step changed",
    grow.code === 0 && stale.code === 1 && stale.output?.step === "changed",
    { grow: grow.output, stale: stale.output },
  );
  const reset = await a.ask(["reset", "2"]);
  check("agent: the reset after it cuts the COW back and succeeds", reset.code === 0, reset.output);
  await a.close();
}

export async function reliabilityChecks() {
  writeConfig(PCS);
  const up = helper("up");
  check("reliability: start from three PCs up", up.code === 0, up.json);
  await upKilledAtEachStep();
  await resetUnderSession();
  await workerKilled();
  const all = helper("status").json?.machines ?? [];
  check(
    "reliability: every PC consistent at the end, PC 3 identical to the master",
    all.length === 3 && all.every((m) => m.state === "ok" && !m.problem && m.exported) && compareWithMaster("retrocow3").identical,
    all,
  );
}
