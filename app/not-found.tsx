import { connection } from "next/server";
import { Logo } from "@/components/ui/logo";
import { NotFoundText } from "@/components/ui/not-found-text";

export const metadata = { title: "Not found · Cowherd" };

/**
 * Cowherd's own 404, with a way back. Rendered per request (connection()), not prerendered: only a
 * per-request render gets the CSP nonce its scripts need, so the console stays free of CSP errors.
 * It is also what a page that calls notFound() answers on a first load (/machines/999): see NotFoundText.
 */
export default async function NotFound() {
  await connection();
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-md space-y-3 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
        <p className="flex items-center gap-2 text-sm font-semibold text-slate-500">
          <Logo className="text-slate-900" /> Cowherd · 404
        </p>
        <NotFoundText />
      </div>
    </main>
  );
}
