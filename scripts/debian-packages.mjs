// @ts-check
// What `npm test`, `test:system`, `test:room` and `test:e2e` do when a Debian package they need is
// missing: as root, install it with apt-get and say so; otherwise print the apt-get line to run.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** How a package shows it is there. @typedef {() => boolean} Present */

/** A file the package installs. @param {string} file @returns {Present} */
export const hasFile = (file) => () => existsSync(file);

/** A command of the package that runs (e.g. `xz --version`). @param {string} cmd @param {string[]} args @returns {Present} */
export const runs = (cmd, args) => () => spawnSync(cmd, args).status === 0;

/**
 * @param {[pkg: string, present: Present][]} wanted Debian packages, each with how to tell it is there
 * @param {string} why what needs them, for the messages ("the browser tests")
 * @param {{ uid?: number, exec?: typeof spawnSync }} [seams] for the unit test: who we are, how apt-get runs
 * @returns {boolean} whether they are all there now
 */
export function ensureDebianPackages(wanted, why, { uid = process.getuid?.(), exec = spawnSync } = {}) {
  const missing = wanted.filter(([, present]) => !present()).map(([pkg]) => pkg);
  if (!missing.length) return true;
  if (uid !== 0) {
    console.error(`cowherd: ${why} needs ${missing.join(", ")}; run: sudo apt-get install -y --no-install-recommends ${missing.join(" ")}`);
    return false;
  }
  console.log(`cowherd: installing ${missing.join(", ")} for ${why} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // A fresh machine may have no package lists yet.
  exec("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  return exec("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { stdio: "inherit", env }).status === 0;
}
