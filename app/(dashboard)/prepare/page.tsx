import { runtime } from "@cowherd/core";
import { requireUser } from "@/lib/next/current-user";
import { AdminOnly } from "@/components/auth/admin-only";
import { PrepareFlow } from "@/components/prepare/prepare-flow";

export const dynamic = "force-dynamic";
export const metadata = { title: "Prepare · Cowherd" };

export default async function PreparePage() {
  const me = await requireUser();
  if (me.role !== "admin") return <AdminOnly what="the event preparation" user={me} />;
  const rt = await runtime();
  const { broadcast, port, batchSize, intervalSeconds, bootWaitSeconds } = rt.config.wol;
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Prepare for the event</h1>
        <p className="text-sm text-slate-600">Clean disks for everyone, then every PC switched on and checked, before the doors open.</p>
      </div>
      <PrepareFlow initial={await rt.machinesView()} wol={{ broadcast, port, batchSize, intervalSeconds, bootWaitSeconds }} />
    </div>
  );
}
