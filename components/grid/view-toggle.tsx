"use client";

import { useSyncExternalStore } from "react";
import { cn } from "@/components/ui/cn";

export type GridView = "cards" | "list";

const KEY = "cowherd.gridView";
const CHANGED = "cowherd:grid-view";

function read(): GridView {
  try {
    return window.localStorage.getItem(KEY) === "list" ? "list" : "cards";
  } catch {
    return "cards"; // storage blocked: cards, and the toggle still works for this page
  }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("storage", onChange);
  window.addEventListener(CHANGED, onChange);
  return () => {
    window.removeEventListener("storage", onChange);
    window.removeEventListener(CHANGED, onChange);
  };
}

/**
 * Cards or the compact list, remembered in this browser (localStorage). The server renders cards;
 * a browser that chose the list switches right after hydration, so the two renders never disagree.
 */
export function useGridView(): [GridView, (v: GridView) => void] {
  const view = useSyncExternalStore(subscribe, read, () => "cards" as const);
  const set = (v: GridView) => {
    try {
      window.localStorage.setItem(KEY, v);
    } catch {
      // not remembered, but shown
    }
    window.dispatchEvent(new Event(CHANGED));
  };
  return [view, set];
}

const OPTIONS: { value: GridView; label: string; icon: React.ReactNode }[] = [
  {
    value: "cards",
    label: "Cards",
    icon: (
      <svg viewBox="0 0 16 16" className="size-4" aria-hidden fill="currentColor">
        <rect x="1" y="1" width="6" height="6" rx="1" />
        <rect x="9" y="1" width="6" height="6" rx="1" />
        <rect x="1" y="9" width="6" height="6" rx="1" />
        <rect x="9" y="9" width="6" height="6" rx="1" />
      </svg>
    ),
  },
  {
    value: "list",
    label: "List",
    icon: (
      <svg viewBox="0 0 16 16" className="size-4" aria-hidden fill="currentColor">
        <rect x="1" y="2" width="14" height="2.5" rx="1" />
        <rect x="1" y="6.75" width="14" height="2.5" rx="1" />
        <rect x="1" y="11.5" width="14" height="2.5" rx="1" />
      </svg>
    ),
  },
];

/** Two toggle buttons (Tab to reach, Enter or Space to choose; the pressed one is the view shown). */
export function ViewToggle({ view, onChange }: { view: GridView; onChange(v: GridView): void }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a row of toggle buttons is an ARIA group; a fieldset would bring its border and legend
    <div role="group" aria-label="Grid view" className="inline-flex shrink-0 rounded-lg bg-white p-0.5 shadow-sm ring-1 ring-slate-200">
      {OPTIONS.map((o) => (
        <button
          key={o.value}
          type="button"
          aria-pressed={view === o.value}
          onClick={() => onChange(o.value)}
          className={cn(
            "inline-flex items-center gap-1.5 rounded-md px-2.5 py-1 text-sm font-medium",
            view === o.value ? "bg-slate-900 text-white" : "text-slate-600 hover:bg-slate-100",
          )}
        >
          {o.icon}
          <span className="max-sm:sr-only">{o.label}</span>
        </button>
      ))}
    </div>
  );
}
