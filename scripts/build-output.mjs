// @ts-check
// What `npm start` and `npm run build` let through of Next: a first start shows where the dashboard
// is and the admin password, not Next's telemetry notice and its route table. Everything Next said is
// kept and shown when the build fails, or when asked for (--verbose or COWHERD_VERBOSE=1).
import { spawn } from "node:child_process";

/**
 * Next's anonymous telemetry off unless the user decided (NEXT_TELEMETRY_DISABLED set to anything,
 * even empty, which lets Next send it, is theirs): the PCs' server sends nothing anywhere it was not told to, and prints no notice.
 * @template {Record<string, string | undefined>} E
 * @param {E} env
 * @returns {E}
 */
export function withTelemetryOff(env) {
  return env.NEXT_TELEMETRY_DISABLED === undefined ? { ...env, NEXT_TELEMETRY_DISABLED: "1" } : env;
}

/** @type {(argv: readonly string[], env: Record<string, string | undefined>) => boolean} */
export const wantsVerbose = (argv, env) => argv.includes("--verbose") || env.COWHERD_VERBOSE === "1";

/** Next's warning and error lines (its "⚠" and "⨯" marks, or a leading "warn"/"error"): still worth a look on success. */
const WORTH_SHOWING = /^\s*(⚠|⨯|warn\b|error\b)/i;

/**
 * The part of a finished `next build`'s output to print: all of it when it failed or when asked,
 * else only its warnings (the banner, progress lines and route table are for whoever asked).
 * @param {string} output
 * @param {{ ok: boolean, verbose: boolean }} how
 * @returns {string}
 */
export function buildOutputToShow(output, { ok, verbose }) {
  if (!ok || verbose) return output;
  return output
    .split("\n")
    .filter((l) => WORTH_SHOWING.test(l))
    .map((l) => `${l}\n`)
    .join("");
}

/** "48 s", "2 min 05 s": how long the build took, for the line that says it is done. @param {number} ms */
export function took(ms) {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

/**
 * Runs `next build` (the script at `bin`) with telemetry off unless the user chose, holding its output
 * back unless it fails or verbose; resolves to its exit code.
 * @param {string} bin
 * @param {{ verbose: boolean, env?: NodeJS.ProcessEnv, write?: (t: string) => void }} how
 * @returns {Promise<number>}
 */
export async function quietNextBuild(bin, { verbose, env = process.env, write = (t) => process.stdout.write(t) }) {
  const child = spawn(process.execPath, [bin, "build"], {
    stdio: ["inherit", verbose ? "inherit" : "pipe", verbose ? "inherit" : "pipe"],
    env: withTelemetryOff(env),
  });
  let output = "";
  // Both streams into one text in the order they came, as a terminal would have shown them.
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  /** @type {number} */
  const code = await new Promise((resolve) => child.on("close", (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  const shown = buildOutputToShow(output, { ok: code === 0, verbose });
  if (shown) write(shown);
  return code;
}
