/** Page search params as plain strings: arrays and empty values dropped, so filter schemas see only real input. */
export function plainParams(params: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""));
}
