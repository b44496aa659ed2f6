import { EVENT_KINDS, SEVERITIES } from "@/lib/constants";
import { FilterForm, FilterSelect } from "@/components/ui/filter-form";

/** A plain GET form: filters live in the URL, so a filtered view can be bookmarked or shared. */
export function EventFilters(props: { machines: { id: number; name: string }[]; machine?: number; kind?: string; severity?: string; open?: boolean }) {
  return (
    <FilterForm action="/events">
      <FilterSelect label="PC" name="machine" value={props.machine} any="All PCs" options={props.machines.map((m) => ({ value: m.id, label: m.name }))} />
      <FilterSelect
        label="What"
        name="kind"
        value={props.kind}
        any="Anything"
        options={Object.entries(EVENT_KINDS).map(([k, v]) => ({ value: k, label: v.label }))}
      />
      <FilterSelect label="Severity" name="severity" value={props.severity} any="Any" options={SEVERITIES.map((s) => ({ value: s, label: s }))} />
      <label className="flex items-center gap-2 pb-1.5 text-sm font-medium">
        <input type="checkbox" name="open" value="1" defaultChecked={props.open} className="size-4 accent-sky-600" />
        Still open only
      </label>
    </FilterForm>
  );
}
