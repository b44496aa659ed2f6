"use client";

import { ApiError } from "@/lib/client/fetcher";
import { Bone, Skeleton } from "@/components/ui/skeleton";

/** A chart's place: a skeleton of its size while loading, the error in words, a note when there is nothing yet. */
export function ChartState({
  loading,
  error,
  empty,
  emptyText,
  children,
}: {
  loading: boolean;
  error: unknown;
  empty: boolean;
  emptyText: string;
  children: React.ReactNode;
}) {
  if (loading)
    return (
      <Skeleton label="Loading the chart">
        <Bone className="h-[260px] w-full" />
      </Skeleton>
    );
  if (error && !children)
    return (
      <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
        {error instanceof ApiError ? error.message : "Cannot reach the server"}
      </p>
    );
  if (empty)
    return (
      <p className="flex h-[260px] items-center justify-center rounded-md bg-slate-50 px-4 text-center text-sm text-slate-500 ring-1 ring-slate-200">
        {emptyText}
      </p>
    );
  return <>{children}</>;
}
