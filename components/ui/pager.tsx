/** Newer/Older links that keep the current filters in the URL. */
export function Pager({
  base,
  params,
  page,
  pageSize,
  total,
  noun,
}: {
  base: string;
  params: Record<string, string>;
  page: number;
  pageSize: number;
  total: number;
  noun: string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const link = (p: number) => `${base}?${new URLSearchParams({ ...params, page: String(p) }).toString()}`;
  const cls = "rounded-md px-3 py-1.5 ring-1 ring-slate-300 hover:bg-white";
  return (
    <nav aria-label="Pages" className="flex items-center justify-between text-sm">
      <span className="text-slate-600">
        {total} {noun} · page {page} of {pages}
      </span>
      <span className="flex gap-2">
        {page > 1 && (
          <a className={cls} href={link(page - 1)}>
            Newer
          </a>
        )}
        {page < pages && (
          <a className={cls} href={link(page + 1)}>
            Older
          </a>
        )}
      </span>
    </nav>
  );
}
