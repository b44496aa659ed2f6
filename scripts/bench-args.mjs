// @ts-check
// `npm run bench -- [--no-guest] [--only part,part]`: which parts of the bench run.

/**
 * The bench's parts, in the order they run. http: the legacy route and the status reads (one server);
 * room: 250 PCs against 14, simulated storage; guest: the app's own path on the real kernel; datapath:
 * reads and first writes through tgt and straight from the devices, on the real kernel.
 */
export const BENCH_PARTS = /** @type {const} */ (["http", "room", "guest", "datapath"]);
/** @typedef {typeof BENCH_PARTS[number]} BenchPart */
/** The parts that boot the QEMU guest: what --no-guest leaves out. */
const GUEST_PARTS = new Set(["guest", "datapath"]);

/**
 * @param {readonly string[]} argv the arguments after the script's name
 * @returns {Set<BenchPart>}
 */
export function benchParts(argv) {
  /** @type {Set<BenchPart>} */
  let parts = new Set(BENCH_PARTS);
  let noGuest = false;
  for (let i = 0; i < argv.length; i++) {
    const a = /** @type {string} */ (argv[i]);
    if (a === "--no-guest") noGuest = true;
    else if (a === "--only" || a.startsWith("--only=")) {
      const list = a === "--only" ? argv[++i] : a.slice("--only=".length);
      if (!list) throw new Error(`--only needs a list of parts (${BENCH_PARTS.join(", ")})`);
      const names = list.split(",").map((s) => s.trim());
      const unknown = names.filter((n) => !BENCH_PARTS.includes(/** @type {BenchPart} */ (n)));
      if (unknown.length) throw new Error(`no bench part ${unknown.join(", ")}: the parts are ${BENCH_PARTS.join(", ")}`);
      parts = new Set(/** @type {BenchPart[]} */ (names));
    } else throw new Error(`unknown argument ${a}: use --no-guest or --only ${BENCH_PARTS.join(",")}`);
  }
  if (noGuest) for (const p of GUEST_PARTS) parts.delete(/** @type {BenchPart} */ (p));
  if (!parts.size) throw new Error("nothing left to run: --no-guest leaves out every part --only named");
  return parts;
}
