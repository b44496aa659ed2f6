"use client";

import { useEffect, useId, useRef, useState } from "react";
import { button, FormError, subtle } from "./panel";
import { useAction } from "./use-action";

interface Props {
  open: boolean;
  title: string;
  submitLabel: string;
  onClose(): void;
  /** Checks the fields before anything is sent: the message to show, or null when they are fine. */
  validate?(form: FormData): string | null;
  /** Sends the form (its named fields); throws ApiError to show the server's message. */
  onSubmit(form: FormData): Promise<unknown>;
  /** The fields, each with a `name`: adding one to the request is one element here and one line in onSubmit. */
  children: React.ReactNode;
}

/**
 * A modal form in a real <dialog>: named by its title, the first field focused, Escape and Cancel
 * close it, the error (ours or the server's) shows inside and is announced, and it closes only
 * once the request has succeeded (then the server-rendered lists refresh).
 */
export function FormDialog({ open, title, submitLabel, onClose, validate, onSubmit, children }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const titleId = useId();
  const errorId = useId();
  const { run, error, busy, clearError } = useAction();
  const [invalid, setInvalid] = useState<string | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      formRef.current?.reset();
      setInvalid(null);
      clearError();
      d.showModal();
    }
    if (!open && d.open) d.close();
  }, [open]);

  const shown = invalid ?? error;
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl p-0 shadow-xl"
    >
      <form
        ref={formRef}
        noValidate
        aria-describedby={shown ? errorId : undefined}
        onSubmit={async (e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const problem = validate?.(data) ?? null;
          setInvalid(problem);
          if (problem) return;
          const sent = await run(async () => {
            await onSubmit(data);
            return true;
          });
          if (sent) onClose();
        }}
      >
        <div className="space-y-3 p-5">
          <h2 id={titleId} className="text-lg font-semibold">
            {title}
          </h2>
          {children}
          <div id={errorId}>
            <FormError error={shown} />
          </div>
        </div>
        <div className="flex justify-end gap-2 border-t border-slate-100 bg-slate-50 px-5 py-3">
          <button type="button" onClick={onClose} className={subtle}>
            Cancel
          </button>
          <button type="submit" disabled={busy} className={button}>
            {submitLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
