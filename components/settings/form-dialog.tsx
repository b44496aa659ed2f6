"use client";

import { useId, useRef, useState } from "react";
import { Modal } from "@/components/ui/modal";
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
 * A modal form in the app's one modal shell: named by its title, the first field focused, Escape and Cancel
 * close it, the error (ours or the server's) shows inside and is announced, and it closes only
 * once the request has succeeded (then the server-rendered lists refresh).
 */
export function FormDialog({ open, title, submitLabel, onClose, validate, onSubmit, children }: Props) {
  const formRef = useRef<HTMLFormElement>(null);
  const errorId = useId();
  const { run, error, busy, clearError } = useAction();
  const [invalid, setInvalid] = useState<string | null>(null);

  const shown = invalid ?? error;
  return (
    <Modal
      open={open}
      title={title}
      onClose={onClose}
      width="sm"
      onOpen={() => {
        formRef.current?.reset();
        setInvalid(null);
        clearError();
      }}
      form={{
        ref: formRef,
        noValidate: true,
        "aria-describedby": shown ? errorId : undefined,
        onSubmit: async (e) => {
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
        },
      }}
      footer={
        <>
          <button type="button" onClick={onClose} className={subtle}>
            Cancel
          </button>
          <button type="submit" disabled={busy} className={button}>
            {submitLabel}
          </button>
        </>
      }
    >
      {children}
      <div id={errorId}>
        <FormError error={shown} />
      </div>
    </Modal>
  );
}
