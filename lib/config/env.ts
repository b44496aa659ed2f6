/** Environment as this app reads it (a plain map, so tests can pass their own). */
export type Env = Record<string, string | undefined>;
