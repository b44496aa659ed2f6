import { TableSkeleton } from "@/components/ui/skeleton";

export default function SettingsLoading() {
  return <TableSkeleton label="Loading the settings" rows={4} />;
}
