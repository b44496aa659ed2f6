import { runtime } from "@cowherd/core";
import { GridSkeleton } from "@/components/grid/grid-skeleton";

/**
 * While the dashboard's first read is on its way: the grid's shape, one card per configured PC.
 * It sits in the grid's own route group, not above every dashboard page: a loading boundary starts
 * the answer (status 200) before the page has run, so a page below it could not answer 404
 * (/machines/999) and the other pages would flash the grid's shape.
 */
export default async function DashboardLoading() {
  const cards = await runtime().then(
    (rt) => rt.config.machines.length,
    () => 8,
  );
  return <GridSkeleton cards={cards} />;
}
