"use client";

import { useState } from "react";
import type { MachineView } from "@/lib/status/machines-view";
import { ApiError, requestJson } from "@/lib/client/fetcher";
import { LocalTime } from "@/components/ui/local-time";
import { KEEP_REASON_MAX } from "@/lib/constants";

/**
 * A PC's "keep" mark on its own page (admins): set it, with what it is kept for, or remove it. What
 * the mark does is said here, where it is set, so nobody is surprised that the next bulk skips it.
 */
export function KeepToggle({ m, now, onChanged }: { m: MachineView; now: number; onChanged(): Promise<unknown> }) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const send = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(null);
    try {
      await fn();
      await onChanged();
    } catch (e) {
      setProblem(e instanceof ApiError ? e.message : "Cannot reach the server");
    } finally {
      setBusy(false);
    }
  };
  const k = m.kept;
  return (
    <section aria-label="Keep its changes" data-testid="keep-toggle" className="space-y-2 rounded-xl bg-white p-4 text-sm shadow-sm ring-1 ring-slate-200">
      <h2 className="text-base font-semibold">Keep its changes</h2>
      <p className="text-slate-600">
        A kept PC is left alone by bulk resets, &ldquo;Reset all before the event&rdquo;, scheduled resets and resets at next boot, so what is written to its
        disk survives its reboots (a multi-reboot installer, a player&rsquo;s setup). A reset of this PC alone asks for a confirmation.
      </p>
      {k ? (
        <div className="flex flex-wrap items-center gap-2">
          <p className="min-w-0 flex-1 text-teal-900" data-testid="kept-since">
            <strong>Kept</strong>
            {k.keptBy ? ` by ${k.keptBy}` : ""} <LocalTime at={k.keptAt} now={now} relative />
            {k.reason ? `: ${k.reason}` : ""}
          </p>
          <button
            type="button"
            disabled={busy}
            onClick={() => send(() => requestJson("DELETE", `/api/machines/${m.id}/keep`).then(() => setCancelled(false)))}
            className="rounded-md px-3 py-1.5 font-medium ring-1 ring-slate-300 hover:bg-slate-50 disabled:opacity-50"
          >
            Stop keeping
          </button>
        </div>
      ) : (
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void send(async () => {
              const r = await requestJson<{ cancelledPending: boolean }>("PUT", `/api/machines/${m.id}/keep`, reason.trim() ? { reason: reason.trim() } : {});
              setCancelled(r.cancelledPending);
              setReason("");
            });
          }}
        >
          <label className="min-w-0 flex-1 basis-48 font-medium">
            What for (optional)
            <input
              value={reason}
              maxLength={KEEP_REASON_MAX}
              onChange={(e) => setReason(e.target.value)}
              placeholder="e.g. driver installer, 3 reboots"
              className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm font-normal"
            />
          </label>
          <button type="submit" disabled={busy} className="rounded-md bg-teal-800 px-3 py-1.5 font-semibold text-white hover:bg-teal-900 disabled:opacity-50">
            Keep {m.name}
          </button>
        </form>
      )}
      {m.pendingReset && !k && <p className="text-xs text-violet-900">Keeping it cancels its reset at next boot.</p>}
      {cancelled && k && <p className="text-xs text-violet-900">Its reset at next boot was cancelled.</p>}
      {problem && (
        <p role="alert" className="text-red-700">
          {problem}
        </p>
      )}
    </section>
  );
}
