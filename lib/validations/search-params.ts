/** Page search params as plain strings: arrays and empty values dropped, so filter schemas see only real input. */
export function plainParams(params: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""));
}

/** A query parameter given more than once where the API takes one value. */
export class RepeatedParamError extends Error {
  constructor(readonly names: string[]) {
    super(`${names.map((n) => `'${n}'`).join(", ")} given more than once: give each query parameter once`);
  }
}

/**
 * An API request's query as one value per name. Every query parameter the API takes is single-valued,
 * so `?machine=1&machine=2` is the caller's mistake: refused, never silently resolved to one of them.
 */
export function singleValuedParams(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  const repeated = new Set<string>();
  for (const [k, v] of params) {
    if (Object.hasOwn(out, k)) repeated.add(k);
    else out[k] = v;
  }
  if (repeated.size) throw new RepeatedParamError([...repeated]);
  return out;
}

/** A page's filters as the page applies them, and what it tells the reader when it ignored them. */
export interface PageFilter<T> {
  q: T;
  /** The filters in force, for links (pager, the table's own refresh): {} when they were ignored. */
  raw: Record<string, string>;
  /** Why the address's filters were ignored (shown on the page); null when they apply. */
  ignored: string | null;
}

/**
 * A dashboard page's filters from its address. The API refuses a repeated parameter (400); a page
 * cannot answer 400 to a person, and picking one of the values would be a guess the reader cannot
 * see. So a page does what it does with any filter it cannot use: it shows everything, unfiltered,
 * and says why, naming the parameter given more than once.
 */
export function pageFilter<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  params: Record<string, string | string[] | undefined>,
  fallback: T,
): PageFilter<T> {
  const repeated = Object.entries(params)
    .filter((e): e is [string, string[]] => Array.isArray(e[1]) && e[1].filter((v) => v !== "").length > 1)
    .map(([k]) => k);
  if (repeated.length) {
    const names = repeated.map((n) => `'${n}'`).join(", ");
    return {
      q: fallback,
      raw: {},
      ignored: `The address gives ${names} more than once: its filters are ignored and everything is shown. Give each filter once.`,
    };
  }
  const raw = plainParams(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.find((x) => x !== "") : v])));
  const parsed = schema.safeParse(raw);
  return parsed.success ? { q: parsed.data, raw, ignored: null } : { q: fallback, raw: {}, ignored: "Ignored an invalid filter in the address." };
}
