/**
 * Next's "✓ …" progress lines while it prepares ("Running next.config.js took 205ms") are for
 * COWHERD_VERBOSE=1: a start shows the address and the admin password. Its warnings and errors show.
 */
export async function withoutNextProgress<T>(verbose: boolean, fn: () => Promise<T>): Promise<T> {
  if (verbose) return fn();
  const log = console.log;
  console.log = (...a: unknown[]) => {
    // On a terminal Next colours the mark: compare without its colour codes.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the terminal colour codes (ESC [ … m)
    if (!(typeof a[0] === "string" && a[0].replace(/\x1b\[[0-9;]*m/g, "").startsWith("✓ "))) log(...a);
  };
  try {
    return await fn();
  } finally {
    console.log = log;
  }
}
