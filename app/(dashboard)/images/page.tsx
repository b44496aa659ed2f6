import { runtime } from "@cowherd/core";
import { requireUser } from "@/lib/next/current-user";
import { AdminOnly } from "@/components/auth/admin-only";
import { ImagesPanel } from "@/components/images/images-panel";

export const dynamic = "force-dynamic";
export const metadata = { title: "Images · Cowherd" };

export default async function ImagesPage() {
  const me = await requireUser();
  if (me.role !== "admin") return <AdminOnly what="the master images" user={me} />;
  const rt = await runtime();
  const machines = rt.config.machines.map((m) => ({ id: m.id, name: m.name, host: m.host, group: m.group }));
  return (
    <div className="space-y-5">
      <div>
        <h1 className="text-xl font-semibold">Master images</h1>
        <p className="text-sm text-slate-600">
          Every PC boots a copy-on-write snapshot of one version of the master image. To update it, put one PC in update mode: it boots a copy (the next
          version) read-write while the room runs on. Publish that copy and every PC moves to it at its next reset; make an older version current again to roll
          back.
        </p>
      </div>
      <ImagesPanel initial={await rt.images.view()} machines={machines} now={Date.now()} />
    </div>
  );
}
