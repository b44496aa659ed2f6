import { runtime } from "@cowherd/core";
import { requireUser } from "@/lib/next/current-user";
import { RoomUsageChart } from "@/components/usage/room-usage-chart";
import { FillsFirst } from "@/components/usage/fills-first";

export const dynamic = "force-dynamic";
export const metadata = { title: "Usage · Cowherd" };

export default async function UsagePage() {
  await requireUser();
  const view = await (await runtime()).machinesView();
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Room usage</h1>
      <RoomUsageChart />
      <FillsFirst initial={view} />
    </div>
  );
}
