/**
 * A plain GET form for a table's filters: they live in the URL, so a filtered view can be bookmarked
 * or shared. Filter submits; Clear goes back to the page without any.
 */
export function FilterForm({ action, children }: { action: string; children: React.ReactNode }) {
  return (
    <form method="get" action={action} className="flex flex-wrap items-end gap-3 rounded-xl bg-white px-4 py-3 shadow-sm ring-1 ring-slate-200">
      {children}
      <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
        Filter
      </button>
      <a href={action} className="px-2 py-1.5 text-sm text-slate-600 hover:underline">
        Clear
      </a>
    </form>
  );
}

/** One filter: a labelled select whose first option means "no filter". */
export function FilterSelect({
  label,
  name,
  value,
  any,
  options,
}: {
  label: string;
  name: string;
  value?: string | number;
  any: string;
  options: { value: string | number; label: string }[];
}) {
  return (
    <label className="text-sm font-medium">
      {label}
      <select name={name} defaultValue={value ?? ""} className="mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm">
        <option value="">{any}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
