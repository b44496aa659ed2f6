// Reset timings on the real kernel, run inside the guest by scripts/bench.mjs.
import { cowLoopOf, emit, helper, qemuIo, sh, startTgtd, writeConfig, writeMaster } from "./guest-lib.mjs";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;
const stepsMs = (report) => report.steps.reduce((a, s) => a + s.ms, 0);

function timedReset(...ids) {
  const t0 = now();
  const r = helper("reset", ...ids);
  const wall = now() - t0;
  if (r.code !== 0) throw new Error(`reset ${ids.join(" ")} failed: ${r.stdout}`);
  return { wall, steps: Math.max(...r.json.reports.map(stepsMs)) };
}

/** The 2010 method: LUN off, suspend, dd the whole COW, reload, resume, LUN on (wrong, but timed). */
function seedReset(id, dm) {
  const tgt = (...a) => sh("/usr/sbin/tgtadm", ["--lld", "iscsi", ...a]);
  const table = sh("/usr/sbin/dmsetup", ["table", dm]).stdout.trim();
  const cow = cowLoopOf(dm);
  const t0 = now();
  tgt("--op", "delete", "--mode", "logicalunit", "--tid", String(id), "--lun", "1");
  sh("/usr/sbin/dmsetup", ["suspend", dm]);
  sh("/usr/bin/dd", ["if=/dev/zero", `of=${cow}`, "bs=1M", "oflag=direct", "status=none"]);
  sh("/usr/sbin/dmsetup", ["reload", dm, "--table", table]);
  sh("/usr/sbin/dmsetup", ["resume", dm]);
  tgt("--op", "new", "--mode", "logicalunit", "--tid", String(id), "--lun", "1", "-b", `/dev/mapper/${dm}`, "--bsoflags", "direct");
  return now() - t0;
}

export async function bench() {
  writeMaster();
  const machines = Array.from({ length: 14 }, (_, i) => ({ id: i + 1, name: `pc${i + 1}`, ip: `127.0.0.${41 + i}`, dmName: `retrocow${i + 1}` }));
  machines.push({ id: 15, name: "big", ip: "127.0.0.60", dmName: "bigcow", cowSizeMiB: 1024 });
  writeConfig(machines);
  await startTgtd();
  const up = helper("up");
  if (up.code !== 0) throw new Error(`up failed: ${up.stdout}`);
  const reps = 3;
  const small = [];
  const big = [];
  for (let i = 0; i < reps; i++) {
    qemuIo("retrocow1", "write -P 0x11 0 4M");
    qemuIo("bigcow", "write -P 0x11 0 4M");
    small.push(timedReset("1"));
    big.push(timedReset("15"));
  }
  const one = [];
  const fourteen = [];
  const all = machines.slice(0, 14).map((m) => String(m.id));
  for (let i = 0; i < reps; i++) {
    one.push(timedReset("1"));
    fourteen.push(timedReset(...all));
  }
  qemuIo("retrocow1", "write -P 0x22 0 4M");
  qemuIo("bigcow", "write -P 0x22 0 4M");
  const seedSmall = seedReset(1, "retrocow1");
  const seedBig = seedReset(15, "bigcow");
  helper("reset", "1", "15"); // repair what the seed method left behind
  const m = (xs, k) => median(xs.map((x) => x[k]));
  emit("BENCH", {
    reps,
    resetSmallWallMs: m(small, "wall"),
    resetBigWallMs: m(big, "wall"),
    resetSmallStepsMs: m(small, "steps"),
    resetBigStepsMs: m(big, "steps"),
    resetOneWallMs: m(one, "wall"),
    resetFourteenWallMs: m(fourteen, "wall"),
    seedSmallMs: seedSmall,
    seedBigMs: seedBig,
  });
}
