import { TableSkeleton } from "@/components/ui/skeleton";

export default function EventsLoading() {
  return <TableSkeleton label="Loading the events" />;
}
