import type { ReactNode } from "react";
import { cn } from "./cn";
import { Cell, Head, stack } from "./stack-table";

/** One column: what its header says and how a row fills its cell. */
export interface Column<R> {
  /** The header, and the cell's label on a phone (where the header row is not shown). */
  label: string;
  /** The header when it should differ from the phone label (e.g. "" above a row's buttons). */
  header?: string;
  /** Header aligned right (the cell says its own alignment in `className`). */
  right?: boolean;
  /** Classes of the cell: fixed, or from the row. */
  className?: string | ((row: R) => string | false | null | undefined);
  cell(row: R): ReactNode;
}

type RowAttributes = React.HTMLAttributes<HTMLTableRowElement> & { [data: `data-${string}`]: string | undefined };

interface Props<R> {
  columns: Column<R>[];
  rows: readonly R[];
  rowKey(row: R): string | number;
  /** Extra attributes of a row: its accessible name, data attributes, a highlight. */
  row?(r: R): RowAttributes;
  /** The table's accessible name. */
  label?: string;
  /** Shown in place of the table when there are no rows; without it an empty table keeps its header. */
  empty?: ReactNode;
  /**
   * "card": a white card of its own (a page section); "bare": inside a panel that is already a card,
   * the table reaching the panel's edges on a phone.
   */
  frame?: "card" | "bare";
  className?: string;
  id?: string;
}

/**
 * The dashboard's table: a table on a wide screen, a card a row on a phone (see stack-table), built
 * from column definitions so that every panel has the same header, empty state and phone layout.
 */
export function DataTable<R>({ columns, rows, rowKey, row, label, empty, frame = "card", className, id }: Props<R>) {
  if (rows.length === 0 && empty !== undefined) {
    return (
      <p
        id={id}
        className={cn(frame === "card" ? "rounded-xl bg-white p-6 text-center text-slate-500 ring-1 ring-slate-200" : "text-sm text-slate-500", className)}
      >
        {empty}
      </p>
    );
  }
  return (
    <div id={id} className={cn(frame === "card" ? stack.wrap : "max-md:-mx-4", className)}>
      <table className={stack.table} aria-label={label}>
        <Head columns={columns.map((c) => c.header ?? c.label)} right={columns.filter((c) => c.right).map((c) => c.header ?? c.label)} />
        <tbody className={stack.tbody}>
          {rows.map((r) => {
            const attrs = row?.(r) ?? {};
            return (
              <tr key={rowKey(r)} {...attrs} className={cn(stack.tr, attrs.className)}>
                {columns.map((c) => (
                  <Cell key={c.label} label={c.label} className={cn(typeof c.className === "function" ? c.className(r) : c.className)}>
                    {c.cell(r)}
                  </Cell>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
