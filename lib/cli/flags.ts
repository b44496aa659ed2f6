// The shell tool's flags: `--name value` pairs and on/off switches, nothing else (no `--name=value`,
// no bundling): anything unexpected is null, and the caller shows the usage.

/** `--name value` pairs among the allowed names, each once; null on anything else. */
export function flagValues(args: string[], allowed: string[]): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i]!, args[i + 1]];
    if (!allowed.includes(name) || value === undefined || value.startsWith("--") || name in out) return null;
    out[name] = value;
  }
  return out;
}

/** Whether a switch such as `--json` was given (once or more), and the args without it. */
export function takeSwitch(args: string[], name: string): [boolean, string[]] {
  const rest = args.filter((a) => a !== name);
  return [rest.length !== args.length, rest];
}

/**
 * A `--name value` option anywhere among the args, at most once: its value (undefined when absent)
 * and the args without it; null when it is given twice or without a value.
 */
export function takeValue(args: string[], name: string): { value: string | undefined; rest: string[] } | null {
  const at = args.indexOf(name);
  if (at < 0) return { value: undefined, rest: args };
  const value = args[at + 1];
  const rest = [...args.slice(0, at), ...args.slice(at + 2)];
  if (value === undefined || value.startsWith("--") || rest.includes(name)) return null;
  return { value, rest };
}

/**
 * `--disk`: which of a PC's disks, among `allowed` (reset: system or game; the image commands: game);
 * absent, undefined (every disk / the system disk's versions). A bad or repeated value is null (the usage).
 */
export function takeDisk<T extends string>(args: string[], allowed: readonly T[]): { disk: T | undefined; rest: string[] } | null {
  const t = takeValue(args, "--disk");
  if (!t) return null;
  if (t.value !== undefined && !(allowed as readonly string[]).includes(t.value)) return null;
  return { disk: t.value as T | undefined, rest: t.rest };
}
