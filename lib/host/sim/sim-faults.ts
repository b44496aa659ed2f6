import { ConfigError } from "../../config/load";
import type { Machine } from "../../config/schema";
import { BIN } from "../command";
import type { FaultRule } from "./kernel/faults";

/**
 * The step names COWHERD_SIM_FAIL (and tests) may make fail, each as the simulated kernel operation
 * of that PC it fails: the reset's dm-error (the worker's wipe), cow-zero (the header write),
 * dm-load and dm-resume (a recovery's load and resume are the same operations), up's steps, and an
 * image update's copy.
 */
const STEP_OPS: Record<string, (m: Machine) => (op: string) => boolean> = {
  "dm-error": (m) => (op) => op.startsWith(`worker wipe ${m.dmName} `),
  "cow-zero": (m) => (op) => op === `zero-header ${m.cowPath}`,
  "dm-load": (m) => (op) => op.startsWith(`worker load ${m.dmName} `),
  "dm-resume": (m) => (op) => op === `worker resume ${m.dmName}`,
  // A recovery's load and resume are the same kernel operations as the reset's: counted together.
  "recover:dm-load": (m) => (op) => op.startsWith(`worker load ${m.dmName} `),
  "recover:dm-resume": (m) => (op) => op === `worker resume ${m.dmName}`,
  "dm-create": (m) => (op) => op.startsWith(`${BIN.dmsetup} create ${m.dmName} `),
  "dm-remove": (m) => (op) => op === `${BIN.dmsetup} remove ${m.dmName}`,
  "cow-allocate": (m) => (op) => op.startsWith(`${BIN.fallocate} `) && op.endsWith(` ${m.cowPath}`),
  "lun-online": (m) => (op) => op.startsWith(`${BIN.tgtadm} `) && op.includes("--op new --mode logicalunit") && op.includes(` -b /dev/mapper/${m.dmName} `),
  // An update copies the current version for one PC: the copy (whichever PC) is the image's.
  "image-copy": () => (op) => op.startsWith("copy ") || op.startsWith("reflink "),
};

export const FAULT_STEPS = Object.keys(STEP_OPS);

export interface FaultSpec {
  id: number;
  step: string;
  times: number;
}

/**
 * Parses COWHERD_SIM_FAIL, e.g. "3:dm-error,5:dm-load:2,7:dm-resume:*". A step the simulated
 * kernel cannot fail, or a PC the room does not have, is a start-up error (it would otherwise be a
 * demo that silently shows no failure).
 */
export function parseFaultSpec(spec: string | undefined, known: ReadonlySet<number>): FaultSpec[] {
  if (!spec) return [];
  return spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      // The step may hold a colon itself (recover:dm-load): the count is only a number or * at the end.
      const [, id, step, times] = /^(\d+):(.+?)(?::(\d+|\*))?$/.exec(s) ?? [];
      if (!id || !step) {
        throw new ConfigError(`COWHERD_SIM_FAIL: bad entry "${s}" (want id:step[:count|*], e.g. 3:dm-load or 5:dm-resume:*)`);
      }
      if (!STEP_OPS[step]) throw new ConfigError(`COWHERD_SIM_FAIL: "${s}": no step "${step}" (the steps that can fail: ${FAULT_STEPS.join(", ")})`);
      if (!known.has(Number(id))) throw new ConfigError(`COWHERD_SIM_FAIL: "${s}": there is no PC ${id} in the room`);
      return { id: Number(id), step, times: times === "*" ? Infinity : times ? Number(times) : 1 };
    });
}

/** A fault rule failing that PC's step `times` times with `message`. */
export function faultRule(m: Machine, step: string, times: number, message = `simulated failure in ${step}`): FaultRule {
  const make = STEP_OPS[step];
  if (!make) throw new Error(`no simulated step ${step} (the steps that can fail: ${FAULT_STEPS.join(", ")})`);
  const matches = make(m);
  let left = times;
  return (op) => {
    if (left <= 0 || !matches(op)) return null;
    left--;
    return message;
  };
}
