import { cn } from "./cn";

/**
 * Tables that stay tables on a wide screen and stack on a narrow one (below 768 px): each row
 * becomes a card, each cell a "label value" line, the label taken from the cell's `label` (the
 * header row stays for screen readers). Nothing is hidden and nothing scrolls sideways.
 */
export const stack = {
  wrap: "overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200 max-md:overflow-visible",
  table: "w-full text-left text-sm max-md:block",
  thead: "border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500 max-md:sr-only",
  tbody: "divide-y divide-slate-100 max-md:block",
  tr: "max-md:block max-md:px-4 max-md:py-3",
};

/** The header row: one column a label, those named in `right` aligned right. */
export function Head({ columns, right = [] }: { columns: string[]; right?: string[] }) {
  return (
    <thead className={stack.thead}>
      <tr>
        {columns.map((c) => (
          <th key={c} scope="col" className={cn("px-3 py-2", right.includes(c) && "text-right")}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** One cell; `label` names it on a phone, where the header row is not shown. */
export function Cell({ label, className, children, ...rest }: React.TdHTMLAttributes<HTMLTableCellElement> & { label: string }) {
  return (
    <td
      data-label={label}
      className={cn(
        "px-3 py-2 max-md:grid max-md:max-w-none max-md:grid-cols-[6.5rem_minmax(0,1fr)] max-md:items-baseline max-md:gap-x-3 max-md:px-0 max-md:py-0.5 max-md:text-left max-md:whitespace-normal",
        "max-md:before:text-xs max-md:before:font-medium max-md:before:tracking-wide max-md:before:text-slate-500 max-md:before:uppercase max-md:before:content-[attr(data-label)]",
        className,
      )}
      {...rest}
    >
      {/* One grid item on a phone whatever the content; no box at all on a wide screen. */}
      <span className="contents max-md:block max-md:min-w-0 max-md:break-words">{children}</span>
    </td>
  );
}
