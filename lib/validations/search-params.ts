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
