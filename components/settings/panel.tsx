export function Panel({ title, children, description }: { title: string; description?: string; children: React.ReactNode }) {
  return (
    <section aria-label={title} className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
      <h2 className="text-base font-semibold">{title}</h2>
      {description && <p className="mb-3 text-sm text-slate-500">{description}</p>}
      {children}
    </section>
  );
}

export const input = "mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
export const button = "rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-50";
export const subtle = "rounded-md px-2 py-1 text-sm ring-1 ring-slate-300 hover:bg-slate-50 disabled:opacity-50";

export function FormError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="mt-2 text-sm text-red-700">
      {error}
    </p>
  );
}
