import Link from "next/link";
import { cn } from "./cn";

const link = "font-medium text-sky-700 underline-offset-2 hover:underline";

/** Where to go from a page that cannot help: the dashboard (first, as a button when `primary`) and the history. */
export function WayBack({ primary = false, children }: { primary?: boolean; children?: React.ReactNode }) {
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
      {children}
      <Link href="/" className={primary ? "rounded-md bg-slate-900 px-3 py-1.5 font-medium text-white hover:bg-slate-700" : link}>
        {primary ? "Back to the dashboard" : "Dashboard"}
      </Link>
      <Link href="/history" className={cn(link, primary && "py-1.5")}>
        Reset history
      </Link>
    </div>
  );
}
