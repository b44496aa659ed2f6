"use client";

import { useRef, useState } from "react";

/**
 * A secret shown once, with a Copy button: the clipboard API where the browser allows it (a secure
 * context: https or localhost), else the text is selected for Ctrl+C and the button says so.
 */
export function CopyableSecret({ text, label }: { text: string; label: string }) {
  const ref = useRef<HTMLElement>(null);
  const [said, setSaid] = useState<string | null>(null);
  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error("no clipboard API");
      await navigator.clipboard.writeText(text);
      setSaid("Copied");
    } catch {
      const range = document.createRange();
      range.selectNodeContents(ref.current!);
      const sel = window.getSelection();
      sel?.removeAllRanges();
      sel?.addRange(range);
      setSaid("Selected: press Ctrl+C (⌘C) to copy");
    }
  };
  return (
    <div className="mt-1 flex flex-wrap items-center gap-2">
      <code ref={ref} className="min-w-0 flex-1 basis-64 break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-amber-200">
        {text}
      </code>{" "}
      <button
        type="button"
        onClick={() => void copy()}
        aria-label={`Copy ${label}`}
        className="rounded-md bg-slate-900 px-3 py-1 text-xs font-semibold text-white hover:bg-slate-700"
      >
        Copy
      </button>{" "}
      <span aria-live="polite" className="text-xs font-medium text-slate-700">
        {said}
      </span>
    </div>
  );
}
