import type { MachineView } from "@/lib/status/machines-view";
import type { WakeJob } from "@/lib/wol/wake";
import { CONDITION_STYLE, conditionHelp, isProblem } from "@/components/grid/levels";

/**
 * A PC whose disk is already lost (its snapshot Invalid, its COW overflowed): nothing on it is left
 * to protect, so it is reset now, even while it runs, never left for its next boot.
 */
export const isDead = (m: MachineView) => m.condition === "invalid" || m.condition === "overflow";

/** Ready for the event: online, nothing wrong with its disk, no reset running or waiting. */
export const isReady = (m: MachineView) => m.boot.state === "online" && !isProblem(m.condition) && !m.reset && !m.pendingReset;

/** The wake job as this browser saw it start: `seenAt` is this browser's clock when it was answered. */
export interface WakeSeen {
  job: WakeJob;
  seenAt: number;
}

/**
 * Why a chosen PC is not ready, and what to do about it, in words an admin can act on. Times since
 * a packet are measured on this browser's clock (from when the job's answer came, plus the packet's
 * offset into the job), so a server clock that differs does not turn "waiting" into "no sign".
 */
export function notReadyReason(m: MachineView, wake: WakeSeen | null, bootWaitSeconds: number, now: number): string {
  const w = wake?.job.machines.find((x) => x.id === m.id);
  if (m.condition === "unreachable") return `its storage host ${m.host} does not answer: check that host and its agent (its PCs' state is unknown meanwhile)`;
  if (m.reset) return "being reset now…";
  if (isDead(m)) return `${CONDITION_STYLE[m.condition].label}: its disk is already lost, nothing on it to keep: reset it now`;
  if (isProblem(m.condition)) return `${CONDITION_STYLE[m.condition].label}: ${conditionHelp(m)}`;
  if (m.boot.state === "booting") return "still booting (it fetched its boot script)";
  if (m.boot.state === "off") {
    if (w?.state === "no-mac") return "no MAC address in the config (machines[].mac): it cannot be woken; switch it on by hand";
    if (w?.state === "failed") return `the magic packet could not be sent: ${w.error}`;
    if (w?.state === "busy") return `${w.error}`;
    if (m.boot.last?.result === "failed" && wake && m.boot.last.startedAt >= wake.job.createdAt)
      return `its boot failed at ${m.boot.last.failedStep ?? "boot"}: ${m.boot.last.error ?? ""}`;
    if (w?.state === "queued") return "waiting for its turn in the Wake-on-LAN batches…";
    if (w?.state === "sent" && wake) {
      const since = Math.max(0, now - wake.seenAt - (w.sentAt! - wake.job.createdAt));
      if (since < bootWaitSeconds * 1000) return `waiting… (packet sent ${Math.floor(since / 1000)} s ago; a PC gets ${bootWaitSeconds} s to start booting)`;
      return `no sign of it ${bootWaitSeconds} s after the packet: check its power, and Wake-on-LAN in its BIOS and network card`;
    }
    return "off, not woken: wake it, or switch it on";
  }
  if (m.pendingReset)
    return `its reset waits for its next boot${m.pendingReset.lastError ? ` (the last try failed: ${m.pendingReset.lastError})` : ""}: restart it (its boot script resets it first), or reset it now if nobody is using it`;
  return "";
}
