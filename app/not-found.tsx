import { connection } from "next/server";
import { Logo } from "@/components/ui/logo";
import { WayBack } from "@/components/ui/way-back";

export const metadata = { title: "Not found · Cowherd" };

/**
 * Cowherd's own 404, with a way back. Rendered per request (connection()), not prerendered: only a
 * per-request render gets the CSP nonce its scripts need, so the console stays free of CSP errors.
 */
export default async function NotFound() {
  await connection();
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-md space-y-3 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
        <p className="flex items-center gap-2 text-sm font-semibold text-slate-500">
          <Logo className="text-slate-900" /> Cowherd · 404
        </p>
        <h1 className="text-xl font-semibold">There is no page here</h1>
        <p className="text-sm text-slate-600">The address may be mistyped, or the page may have moved. The PCs are on the dashboard.</p>
        <WayBack primary />
      </div>
    </main>
  );
}
