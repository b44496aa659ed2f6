import { firstPaint, runtime } from "@cowherd/core";
import { requireUser } from "@/lib/next/current-user";
import { MachineGrid } from "@/components/grid/machine-grid";

export const dynamic = "force-dynamic";
export const metadata = { title: "Dashboard · Cowherd" };

export default async function DashboardPage() {
  const user = await requireUser();
  const view = await (await runtime()).machinesView();
  return <MachineGrid initial={firstPaint(view)} canReset={user.role === "admin"} />;
}
