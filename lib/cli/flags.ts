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
