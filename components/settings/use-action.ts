"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ApiError } from "@/lib/client/fetcher";

/**
 * Runs an action, shows its error, and on success refreshes the server-rendered lists (or calls
 * `refresh` instead, for a list SWR keeps).
 */
export function useAction(refresh?: () => void) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      const r = await fn();
      if (refresh) refresh();
      else router.refresh();
      return r;
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Cannot reach the server");
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, error, busy, clearError: () => setError(null) };
}
