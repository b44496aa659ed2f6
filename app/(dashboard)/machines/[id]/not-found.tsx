"use client";

import { useParams } from "next/navigation";
import { NoSuchPc } from "@/components/ui/no-such-pc";

/** No such PC, reached by navigating inside the app (a first load gets the root 404, which says the same). */
export default function NoSuchPcPage() {
  const { id } = useParams<{ id: string }>();
  return (
    <div className="mx-auto max-w-md space-y-3 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
      <NoSuchPc id={decodeURIComponent(id ?? "")} />
    </div>
  );
}
