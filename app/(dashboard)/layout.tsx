import Link from "next/link";
import { requireUser } from "@/lib/next/current-user";
import { LogoutButton } from "@/components/auth/logout-button";
import { Logo } from "@/components/ui/logo";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  return (
    <div className="min-h-screen">
      <header className="dark-surface bg-slate-900 text-slate-100">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <Link href="/" className="flex items-center gap-2 text-lg font-semibold tracking-tight">
            <Logo />
            Cowherd
          </Link>
          <nav aria-label="Main" className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
            <Link href="/" className="hover:text-white text-slate-300">
              Dashboard
            </Link>
            <Link href="/usage" className="hover:text-white text-slate-300">
              Usage
            </Link>
            <Link href="/events" className="hover:text-white text-slate-300">
              Events
            </Link>
            <Link href="/history" className="hover:text-white text-slate-300">
              History
            </Link>
            {user.role === "admin" && (
              <>
                <Link href="/prepare" className="hover:text-white text-slate-300">
                  Prepare
                </Link>
                <Link href="/images" className="hover:text-white text-slate-300">
                  Images
                </Link>
                <Link href="/audit" className="hover:text-white text-slate-300">
                  Audit
                </Link>
                <Link href="/settings" className="hover:text-white text-slate-300">
                  Settings
                </Link>
              </>
            )}
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <span className="text-slate-300">
              {user.username} <span className="text-slate-500">({user.role})</span>
            </span>
            <LogoutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-5">{children}</main>
    </div>
  );
}
