import { FilterForm, FilterSelect } from "@/components/ui/filter-form";
import { RESET_SOURCES } from "@/lib/constants";

const RESULTS = [
  { value: "ok", label: "OK" },
  { value: "failed", label: "Failed" },
  { value: "interrupted", label: "Interrupted" },
  { value: "running", label: "Running" },
];

/** A plain GET form: filters live in the URL, so a filtered view can be bookmarked or shared. */
export function HistoryFilters(props: { machines: { id: number; name: string }[]; machine?: number; result?: string; source?: string }) {
  return (
    <FilterForm action="/history">
      <FilterSelect label="PC" name="machine" value={props.machine} any="All PCs" options={props.machines.map((m) => ({ value: m.id, label: m.name }))} />
      <FilterSelect label="Result" name="result" value={props.result} any="Any result" options={RESULTS} />
      <FilterSelect label="Source" name="source" value={props.source} any="Any source" options={RESET_SOURCES.map((s) => ({ value: s, label: s }))} />
    </FilterForm>
  );
}
