import { runtime } from "@cowherd/core";
import { GridSkeleton } from "@/components/grid/grid-skeleton";

/** While the dashboard's first read is on its way: the grid's shape, one card per configured PC. */
export default async function DashboardLoading() {
  const cards = await runtime().then(
    (rt) => rt.config.machines.length,
    () => 8,
  );
  return <GridSkeleton cards={cards} />;
}
