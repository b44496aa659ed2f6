// @ts-check
// How much of the host's CPU other work took while a guest ran: the guest's vCPUs are the host's
// cores under TCG, so anything else running moves every figure the guest measures.
import { readFileSync } from "node:fs";

/**
 * Busy and total clock ticks of all CPUs, from /proc/stat's first line.
 * @param {string} text /proc/stat
 */
export function parseProcStat(text) {
  const line = text.split("\n").find((l) => /^cpu\s/.test(l));
  if (!line) throw new Error("no cpu line in /proc/stat");
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 5 || f.some((n) => !Number.isFinite(n))) throw new Error(`cannot read /proc/stat's cpu line: ${line}`);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/**
 * This process's own CPU ticks and its waited-for children's (utime, stime, cutime, cstime), from
 * /proc/self/stat. The command name (field 2) may hold spaces and parentheses: count from its end.
 * @param {string} text /proc/self/stat
 */
export function parseSelfStat(text) {
  const rest = text
    .slice(text.lastIndexOf(")") + 2)
    .trim()
    .split(/\s+/)
    .map(Number);
  // rest[0] is field 3 (state); utime is field 14.
  const ticks = rest.slice(11, 15);
  if (ticks.length < 4 || ticks.some((n) => !Number.isFinite(n))) throw new Error(`cannot read /proc/self/stat: ${text.slice(0, 200)}`);
  return ticks.reduce((a, b) => a + b, 0);
}

/**
 * Other work's share of the host between two samples, in cores (0 = the host did nothing else; 1 =
 * one core's worth of other work all along). Our own process and the children it waited for (the
 * guest's QEMU) are not other work.
 * @param {{ busy: number, total: number, self: number }} a @param {{ busy: number, total: number, self: number }} b
 * @param {number} cores
 */
export function otherCores(a, b, cores) {
  const total = b.total - a.total;
  if (!(total > 0)) return NaN;
  const other = Math.max(0, b.busy - a.busy - (b.self - a.self));
  return (other / total) * cores;
}

/** A sample for otherCores, read now. Linux only. */
export function sampleCpu() {
  return { ...parseProcStat(readFileSync("/proc/stat", "utf8")), self: parseSelfStat(readFileSync("/proc/self/stat", "utf8")) };
}
