import { TableSkeleton } from "@/components/ui/skeleton";

export default function AuditLoading() {
  return <TableSkeleton label="Loading the audit log" />;
}
