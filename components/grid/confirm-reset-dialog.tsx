"use client";

import { useEffect, useRef } from "react";
import type { MachineView } from "@/lib/status/machines-view";
import { mib } from "@/components/ui/format";

interface Props {
  targets: MachineView[] | null;
  onCancel(): void;
  onConfirm(): void;
}

/** Says what will be lost; louder when a target is online (Windows is running from that disk). */
export function ConfirmResetDialog({ targets, onCancel, onConfirm }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (targets && !d.open) d.showModal();
    if (!targets && d.open) d.close();
  }, [targets]);

  const list = targets ?? [];
  const online = list.filter((m) => m.online);
  const single = list.length === 1 ? list[0] : undefined;
  const lostSectors = list.reduce((sum, m) => sum + (m.usedSectors ?? 0), 0);
  const title = single ? `Reset ${single.name}?` : `Reset ${list.length} PCs?`;

  return (
    <dialog
      ref={ref}
      aria-labelledby="confirm-reset-title"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
      className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-xl p-0 shadow-xl"
    >
      <div className="space-y-3 p-5">
        <h2 id="confirm-reset-title" className="text-lg font-semibold">
          {title}
        </h2>
        <p className="text-sm text-slate-700">
          {single
            ? `Everything written to ${single.name}'s disk since its last reset${single.usedSectors !== null ? ` (${mib(single.usedSectors)} MiB)` : ""} is thrown away. It boots the clean master image again.`
            : `Everything written to these PCs' disks since their last reset (${mib(lostSectors)} MiB in all) is thrown away. They boot the clean master image again.`}
        </p>
        {!single && (
          <p className="max-h-24 overflow-auto font-mono text-xs text-slate-600">{list.map((m) => m.name).join(", ")}</p>
        )}
        {online.length > 0 && (
          <div role="alert" className="rounded-lg border-2 border-red-600 bg-red-50 p-3 text-sm text-red-900">
            <strong className="block">
              {single ? `${single.name} is ONLINE right now.` : `${online.length} of them ${online.length === 1 ? "is" : "are"} ONLINE right now: ${online.map((m) => m.name).join(", ")}.`}
            </strong>
            Windows is running from {single ? "this disk" : "those disks"} and will crash (blue screen) as soon as the reset starts. Make sure nobody is
            playing on {single ? "it" : "them"}.
          </div>
        )}
      </div>
      <div className="flex justify-end gap-2 border-t border-slate-100 bg-slate-50 px-5 py-3">
        <button type="button" onClick={onCancel} className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-white">
          Cancel
        </button>
        <button
          type="button"
          onClick={onConfirm}
          className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-800"
        >
          Confirm reset
        </button>
      </div>
    </dialog>
  );
}
