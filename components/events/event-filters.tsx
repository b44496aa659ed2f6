import { EVENT_KINDS, SEVERITIES } from "@/lib/constants";

/** A plain GET form: filters live in the URL, so a filtered view can be bookmarked or shared. */
export function EventFilters(props: { machines: { id: number; name: string }[]; machine?: number; kind?: string; severity?: string; open?: boolean }) {
  const select = "mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";
  return (
    <form method="get" action="/events" className="flex flex-wrap items-end gap-3 rounded-xl bg-white px-4 py-3 shadow-sm ring-1 ring-slate-200">
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
      <label className="text-sm font-medium">
        What
        <select name="kind" defaultValue={props.kind ?? ""} className={select}>
          <option value="">Anything</option>
          {Object.entries(EVENT_KINDS).map(([k, v]) => (
            <option key={k} value={k}>
              {v.label}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm font-medium">
        Severity
        <select name="severity" defaultValue={props.severity ?? ""} className={select}>
          <option value="">Any</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-2 pb-1.5 text-sm font-medium">
        <input type="checkbox" name="open" value="1" defaultChecked={props.open} className="size-4 accent-sky-600" />
        Still open only
      </label>
      <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
        Filter
      </button>
      <a href="/events" className="px-2 py-1.5 text-sm text-slate-600 hover:underline">
        Clear
      </a>
    </form>
  );
}
