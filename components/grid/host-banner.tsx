import type { HostView } from "@/lib/status/machines-view";
import { LocalTime } from "@/components/ui/local-time";

/**
 * A storage host that does not answer: since when, why, and how old the numbers shown are; or one
 * that answers but whose PCs all share one fault (its iSCSI target down): the fault, once.
 */
export function HostBanner({ host, now }: { host: HostView; now: number }) {
  if (!host.failing && host.problem) {
    return (
      <div role="alert" className="rounded-xl bg-orange-50 px-4 py-3 text-sm text-orange-950 ring-1 ring-orange-300">
        <strong>Every PC of storage host {host.name} has the same fault</strong>
        <span className="block break-words">{host.problem}</span>
      </div>
    );
  }
  if (!host.failing && host.health.state === "up") return null;
  if (!host.failing && host.health.state === "connecting") return null;
  const since = host.failing?.since ?? host.health.since;
  return (
    <div role="alert" className="rounded-xl bg-amber-50 px-4 py-3 text-sm text-amber-950 ring-1 ring-amber-300">
      <strong>
        Storage host {host.name} unreachable since <LocalTime at={since} now={now} relative />
      </strong>
      <span className="block break-words">{host.failing?.message ?? host.health.error}</span>
      <span className="block text-amber-800">
        Its {host.machines} PCs show{" "}
        {host.lastReadAt ? (
          <>
            the last good data, from <LocalTime at={host.lastReadAt} now={now} relative />
          </>
        ) : (
          "no data yet"
        )}
        ; Cowherd keeps trying to reconnect.
      </span>
    </div>
  );
}
