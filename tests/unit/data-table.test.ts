import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DataTable, type Column } from "@/components/ui/data-table";

type Row = { id: number; name: string; on: boolean };
const columns: Column<Row>[] = [
  { label: "Name", className: "font-medium", cell: (r) => r.name },
  { label: "Actions", header: "", right: true, className: (r) => (r.on ? "on" : "off"), cell: () => "x" },
];
const html = (props: Partial<Parameters<typeof DataTable<Row>>[0]>) =>
  renderToStaticMarkup(createElement(DataTable<Row>, { columns, rows: [], rowKey: (r: Row) => r.id, ...props }));

describe("DataTable", () => {
  it("writes one header cell a column, and names each cell for the phone layout", () => {
    const out = html({ rows: [{ id: 1, name: "alpha", on: true }], label: "Things", row: (r) => ({ "aria-label": r.name, "data-kind": "k" }) });
    expect(out).toContain('aria-label="Things"');
    expect(out.match(/<th /g)).toHaveLength(2);
    expect(out).toContain('<th scope="col" class="px-3 py-2 text-right"></th>');
    expect(out).toMatch(/<tr aria-label="alpha" data-kind="k" class="[^"]*max-md:block/);
    expect(out).toContain('data-label="Name"');
    expect(out).toMatch(/data-label="Actions" class="[^"]* on"/);
  });

  it("shows the empty text in place of the table, or keeps the header when there is none", () => {
    expect(html({ empty: "Nothing yet." })).toMatch(/^<p class="rounded-xl[^"]*">Nothing yet\.<\/p>$/);
    expect(html({ empty: "Nothing yet.", frame: "bare" })).toBe('<p class="text-sm text-slate-500">Nothing yet.</p>');
    const bare = html({});
    expect(bare).toContain("<thead");
    expect(bare).toContain("<tbody");
    expect(bare).not.toContain("<tr class");
  });
});
