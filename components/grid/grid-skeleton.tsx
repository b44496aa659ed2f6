import { Bone, Skeleton } from "@/components/ui/skeleton";
import { FIRST_PAINT_PCS } from "@/lib/client/room-counts";

/**
 * The grid's shape while its first read is on the way: summary line, selection bar, one card per PC
 * up to what a first paint shows (a skeleton of 250 cards was 200 kB of HTML, twice: in the page and
 * in its payload).
 */
export function GridSkeleton({ cards: asked }: { cards: number }) {
  const cards = Math.min(asked, FIRST_PAINT_PCS);
  return (
    <Skeleton label="Loading the PCs" className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-x-6 gap-y-1">
        <Bone className="h-7 w-44" />
        {["h-5 w-16", "h-5 w-20", "h-5 w-16", "h-5 w-28"].map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: fixed placeholder shapes that never reorder
          <Bone key={i} className={c} />
        ))}
      </div>
      <Bone className="h-12 rounded-xl" />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
        {Array.from({ length: cards }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: fixed placeholder cards that never reorder
          <div key={i} className="flex h-52 flex-col gap-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
            <div className="flex items-start gap-2">
              <div className="flex-1 space-y-1.5">
                <Bone className="h-4 w-24" />
                <Bone className="h-3 w-36" />
              </div>
              <Bone className="h-5 w-16 rounded-full" />
            </div>
            <Bone className="h-3 rounded-full" />
            <Bone className="h-4 w-32" />
            <div className="mt-auto flex items-center justify-between border-t border-slate-100 pt-3">
              <Bone className="h-3 w-28" />
              <Bone className="h-8 w-16 rounded-md" />
            </div>
          </div>
        ))}
      </div>
    </Skeleton>
  );
}
