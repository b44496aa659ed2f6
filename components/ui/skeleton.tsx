import { cn } from "./cn";

/** A grey placeholder block; the whole skeleton pulses (see Skeleton). */
export function Bone({ className }: { className?: string }) {
  return <div aria-hidden className={cn("rounded bg-slate-200", className)} />;
}

/** Wraps a skeleton: announced once as loading, pulsing, and with the test id `skeleton`. */
export function Skeleton({ label, className, children }: { label: string; className?: string; children: React.ReactNode }) {
  return (
    <div role="status" aria-label={label} aria-busy="true" data-testid="skeleton" className={cn("animate-pulse", className)}>
      {children}
    </div>
  );
}

/** A page title, a filter bar and a table of `rows` rows: the shape of History and Audit while they load. */
export function TableSkeleton({ label, rows = 8 }: { label: string; rows?: number }) {
  return (
    <Skeleton label={label} className="space-y-4">
      <Bone className="h-7 w-48" />
      <Bone className="h-16 rounded-xl" />
      <div className="space-y-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
        {Array.from({ length: rows }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: fixed placeholder rows that never reorder
          <Bone key={i} className="h-5" />
        ))}
      </div>
    </Skeleton>
  );
}
