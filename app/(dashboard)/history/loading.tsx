import { TableSkeleton } from "@/components/ui/skeleton";

export default function HistoryLoading() {
  return <TableSkeleton label="Loading the reset history" />;
}
