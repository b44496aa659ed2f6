import { Logo } from "@/components/ui/logo";
import { LoginForm } from "@/components/auth/login-form";
import { safeReturnPath } from "@/lib/client/return-to";

export const dynamic = "force-dynamic";
export const metadata = { title: "Log in · Cowherd" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string | string[]; next?: string | string[] }> }) {
  const { error, next } = await searchParams;
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
        <h1 className="mb-1 flex items-center gap-2 text-xl font-semibold">
          <Logo className="text-slate-900" /> Cowherd
        </h1>
        <p className="mb-5 text-sm text-slate-500">Log in to manage the room&apos;s PCs.</p>
        <LoginForm serverError={typeof error === "string" ? error : undefined} next={safeReturnPath(typeof next === "string" ? next : null)} />
      </div>
    </main>
  );
}
