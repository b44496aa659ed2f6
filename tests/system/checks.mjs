// @ts-check
// Every check prints one COWHERD-CHECK line; the host turns them into test results.
import { emit } from "./guest-lib.mjs";

/** @type {{ name: string, ok: boolean }[]} */
const results = [];

/**
 * @param {string} name
 * @param {unknown} ok
 * @param {unknown} [detail]
 */
export function check(name, ok, detail = {}) {
  results.push({ name, ok: !!ok });
  emit("CHECK", { name, ok: !!ok, detail });
  return !!ok;
}

export function summary() {
  emit("SUMMARY", { passed: results.filter((c) => c.ok).length, failed: results.filter((c) => !c.ok).length });
}
