"use client";

import { useEffect, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import useSWR from "swr";
import type { MachinesView } from "@/lib/status/machines-view";
import type { WhenOnline } from "@/lib/reset/requests";
import { ApiError, fetcher, postJson, requestJson } from "@/lib/client/fetcher";
import { MachineCard } from "@/components/grid/machine-card";
import { ConfirmResetDialog } from "@/components/grid/confirm-reset-dialog";
import { GrowDialog } from "@/components/grid/grow-dialog";
import { MACHINES_POLL } from "@/components/grid/poll";
import { KeepToggle } from "@/components/grid/keep-toggle";
import type { DiskKind } from "@/lib/config/schema";
import { GameDiskSection } from "./game-disk-section";

/** A PC's page header: its live card (usage, growth, boot, last reset) with Reset and Grow for admins. */
export function MachinePanel({ initial, id, canReset }: { initial: MachinesView; id: number; canReset: boolean }) {
  const { data, error, mutate } = useSWR<MachinesView>("/api/machines", fetcher, { ...MACHINES_POLL, fallbackData: initial, keepPreviousData: true });
  const view = data ?? initial;
  const m = view.machines.find((x) => x.id === id)!;
  const [confirm, setConfirm] = useState(false);
  const [growing, setGrowing] = useState<DiskKind | null>(null);
  const [sending, setSending] = useState(false);
  const [requestError, setRequestError] = useState<string | undefined>();
  // A reset that ends (from here or anywhere) refreshes the page's server-rendered parts: its history and events.
  const router = useRouter();
  const lastReset = `${m.lastReset?.id}:${m.lastReset?.endedAt}`;
  const seen = useRef(lastReset);
  useEffect(() => {
    if (seen.current === lastReset) return;
    seen.current = lastReset;
    router.refresh();
  }, [lastReset, router]);
  const reset = async (whenOnline: WhenOnline, disk?: DiskKind) => {
    setConfirm(false);
    setSending(true);
    setRequestError(undefined);
    try {
      // The confirm dialog said this PC is kept and its changes go: that is the confirmation.
      await postJson(`/api/machines/${id}/reset`, { whenOnline, ...(m.kept ? { confirmKept: true } : {}), ...(disk ? { disk } : {}) });
    } catch (e) {
      setRequestError(e instanceof ApiError ? e.message : "Cannot reach the server");
    } finally {
      await mutate();
      setSending(false);
    }
  };
  return (
    <>
      <div>
        <MachineCard
          m={m}
          now={view.readAt}
          warnPercent={m.warnPercent}
          dangerPercent={m.dangerPercent}
          canReset={canReset}
          selectable={false}
          reachable={!error}
          selected={false}
          sending={sending}
          requestError={requestError}
          onSelect={() => undefined}
          onReset={() => setConfirm(true)}
          onGrow={() => setGrowing("system")}
          onCancelPending={async () => {
            await requestJson("DELETE", `/api/machines/${id}/pending-reset`).catch((e: unknown) =>
              setRequestError(e instanceof ApiError ? e.message : "Cannot reach the server"),
            );
            await mutate();
          }}
        />
        {m.game && (
          <div className="mt-3">
            <GameDiskSection m={m} canGrow={canReset} busy={sending || m.reset !== null} reachable={!error} onGrow={() => setGrowing("game")} />
          </div>
        )}
        {canReset && (
          <div className="mt-3">
            <KeepToggle m={m} now={view.readAt} onChanged={() => mutate()} />
          </div>
        )}
      </div>
      <GrowDialog m={growing ? m : null} disk={growing ?? "system"} view={view} onClose={() => setGrowing(null)} onDone={() => void mutate()} />
      <ConfirmResetDialog targets={confirm ? [m] : null} onCancel={() => setConfirm(false)} onConfirm={(w, disk) => void reset(w, disk)} />
    </>
  );
}
