import Link from "next/link";
import { cn } from "@/components/ui/cn";

/** Resets and boots: the two histories, one switch. */
export function HistoryTabs({ current }: { current: "resets" | "boots" }) {
  const tab = (href: string, label: string, on: boolean) => (
    <Link
      href={href}
      aria-current={on ? "page" : undefined}
      className={cn("rounded-md px-3 py-1.5 text-sm font-medium", on ? "bg-slate-900 text-white" : "text-slate-700 ring-1 ring-slate-300 hover:bg-white")}
    >
      {label}
    </Link>
  );
  return (
    <nav aria-label="History" className="flex gap-2">
      {tab("/history", "Resets", current === "resets")}
      {tab("/history/boots", "Boots", current === "boots")}
    </nav>
  );
}
