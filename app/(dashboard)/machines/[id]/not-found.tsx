"use client";

import { useParams } from "next/navigation";
import { WayBack } from "@/components/ui/way-back";

/** A PC address with no such PC (removed from the room, or mistyped): say so, and offer a way back. */
export default function NoSuchPc() {
  const { id } = useParams<{ id: string }>();
  return (
    <div className="mx-auto max-w-md space-y-3 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
      <h1 className="text-xl font-semibold">No PC with id {decodeURIComponent(id ?? "")}</h1>
      <p className="text-sm text-slate-600">The room has no such PC: it may have been removed from the configuration, or the address is mistyped. The room&apos;s PCs are on the dashboard.</p>
      <WayBack primary />
    </div>
  );
}
