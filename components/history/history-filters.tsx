const select = "mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

/**
 * A plain GET form: filters live in the URL, so a filtered view can be bookmarked or shared. Always
 * a PC filter; `children` adds more.
 */
export function FilterForm(props: { action: string; machines: { id: number; name: string }[]; machine?: number; children?: React.ReactNode }) {
  return (
    <form method="get" action={props.action} className="flex flex-wrap items-end gap-3 rounded-xl bg-white px-4 py-3 shadow-sm ring-1 ring-slate-200">
      <label className="text-sm font-medium">
        PC
        <select name="machine" defaultValue={props.machine ?? ""} className={select}>
          <option value="">All PCs</option>
          {props.machines.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
      </label>
      {props.children}
      <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
        Filter
      </button>
      <a href={props.action} className="px-2 py-1.5 text-sm text-slate-600 hover:underline">
        Clear
      </a>
    </form>
  );
}

export function HistoryFilters(props: { machines: { id: number; name: string }[]; machine?: number; result?: string; source?: string }) {
  return (
    <FilterForm action="/history" machines={props.machines} machine={props.machine}>
      <label className="text-sm font-medium">
        Result
        <select name="result" defaultValue={props.result ?? ""} className={select}>
          <option value="">Any result</option>
          <option value="ok">OK</option>
          <option value="failed">Failed</option>
          <option value="interrupted">Interrupted</option>
          <option value="running">Running</option>
        </select>
      </label>
      <label className="text-sm font-medium">
        Source
        <select name="source" defaultValue={props.source ?? ""} className={select}>
          <option value="">Any source</option>
          {["dashboard", "bulk", "boot", "cli", "legacy"].map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
    </FilterForm>
  );
}
