"use client";

import { Modal, modalButton, modalCancel } from "./modal";

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
  return (
    <Modal
      open={ask !== null}
      title={ask?.title}
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose} className={modalCancel}>
            Cancel
          </button>
          <button
            type="button"
            onClick={() => {
              const a = ask;
              onClose();
              a?.run();
            }}
            className={`${modalButton} bg-red-700 text-white hover:bg-red-800`}
          >
            {ask?.confirmLabel}
          </button>
        </>
      }
    >
      <div className="space-y-2 text-sm text-slate-700">{ask?.body}</div>
    </Modal>
  );
}
