"use client";

import { useEffect, useId, useRef, type FormHTMLAttributes, type ReactNode, type Ref } from "react";

// Full class names in a map: Tailwind finds them in the source (never assembled at run time).
const WIDTH = {
  sm: "w-[min(28rem,calc(100vw-2rem))]",
  md: "w-[min(32rem,calc(100vw-2rem))]",
  lg: "w-[min(34rem,calc(100vw-2rem))]",
} as const;

/** The footer's buttons: Cancel plain, the one that goes ahead says what it does in its colour. */
export const modalButton = "rounded-md px-3 py-1.5 text-sm font-semibold";
export const modalCancel = `${modalButton} font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-white`;

interface Props {
  open: boolean;
  title: ReactNode;
  /** Escape, or the caller's Cancel: the caller closes it by setting `open` false. */
  onClose(): void;
  /** Runs just before it opens (e.g. to clear a form left from last time). */
  onOpen?(): void;
  width?: keyof typeof WIDTH;
  footer: ReactNode;
  /** Body and footer inside one form (its submit button in the footer). */
  form?: FormHTMLAttributes<HTMLFormElement> & { ref?: Ref<HTMLFormElement> };
  children: ReactNode;
}

/**
 * The app's one modal shell, a real <dialog>: named by its title, Escape closes it through the
 * caller (who owns `open`), a body and a row of buttons at the bottom. The confirmation, form and
 * reset dialogs are this shell with their own content.
 */
export function Modal({ open, title, onClose, onOpen, width = "md", footer, form, children }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  // biome-ignore lint/correctness/useExhaustiveDependencies: onOpen runs when the dialog opens, not each time a caller passes a new function
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      onOpen?.();
      d.showModal();
    }
    if (!open && d.open) d.close();
    // Only a change of `open` opens or closes it; onOpen is a fresh closure on every render.
  }, [open]);
  const inner = (
    <>
      <div className="space-y-3 p-5">
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        {children}
      </div>
      <div className="flex flex-wrap justify-end gap-2 border-t border-slate-100 bg-slate-50 px-5 py-3">{footer}</div>
    </>
  );
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className={`m-auto ${WIDTH[width]} rounded-xl p-0 shadow-xl`}
    >
      {form ? <form {...form}>{inner}</form> : inner}
    </dialog>
  );
}
