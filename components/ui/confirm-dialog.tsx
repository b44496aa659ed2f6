"use client";

import { useEffect, useId, useRef } from "react";

export interface ConfirmAsk {
  title: string;
  /** What happens, and what is lost. */
  body: React.ReactNode;
  /** The button that goes ahead, e.g. "Discard the draft". */
  confirmLabel: string;
  run(): void;
}

/**
 * The app's own yes/no question (in place of the browser's confirm()), in the style of the reset
 * dialog: a modal with Cancel and a red button that says what it does. `ask` null: closed.
 */
export function ConfirmDialog({ ask, onClose }: { ask: ConfirmAsk | null; onClose(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (ask && !d.open) d.showModal();
    if (!ask && d.open) d.close();
  }, [ask]);
  const button = "rounded-md px-3 py-1.5 text-sm font-semibold";
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-xl p-0 shadow-xl"
    >
      <div className="space-y-3 p-5">
        <h2 id={titleId} className="text-lg font-semibold">
          {ask?.title}
        </h2>
        <div className="space-y-2 text-sm text-slate-700">{ask?.body}</div>
      </div>
      <div className="flex flex-wrap justify-end gap-2 border-t border-slate-100 bg-slate-50 px-5 py-3">
        <button type="button" onClick={onClose} className={`${button} font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-white`}>
          Cancel
        </button>
        <button
          type="button"
          onClick={() => {
            const a = ask;
            onClose();
            a?.run();
          }}
          className={`${button} bg-red-700 text-white hover:bg-red-800`}
        >
          {ask?.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
