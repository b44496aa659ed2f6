import { requireUser } from "@/lib/auth/current-user";
import { runtime } from "@/lib/runtime";
import { MachineGrid } from "@/components/grid/machine-grid";

export const dynamic = "force-dynamic";

export default async function DashboardPage() {
  const user = await requireUser();
  const view = await (await runtime()).machinesView();
  return <MachineGrid initial={view} canReset={user.role === "admin"} />;
}
