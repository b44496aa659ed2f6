"use client";

import { WayBack } from "@/components/ui/way-back";

/**
 * The dashboard's pages when rendering them failed (a storage host that does not answer is NOT
 * this: the grid shows that itself). Says so, gives the server log reference, and offers a retry
 * that fetches the page again; the header and navigation above stay usable.
 */
export default function DashboardError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : null;
  return (
    <div role="alert" className="mx-auto max-w-lg space-y-3 rounded-xl bg-white p-6 shadow-sm ring-1 ring-red-200">
      <h1 className="text-xl font-semibold">This page could not be shown</h1>
      <p className="text-sm text-slate-700">
        The Cowherd server failed while preparing it. The PCs are not affected: nothing was reset or changed. Try again; if it keeps failing, the server&apos;s
        log says why{digest ? " (look for the reference below)" : ""}.
      </p>
      {digest && (
        <p className="text-xs text-slate-500">
          Reference: <code className="font-mono">{digest}</code>
        </p>
      )}
      <WayBack>
        <button type="button" onClick={() => retry()} className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
          Try again
        </button>
      </WayBack>
    </div>
  );
}
