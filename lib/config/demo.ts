import type { ConfigInput } from "./schema";

export const DEMO_MACHINE_COUNT = 14;

/** The built-in RetroLAN: retro-01..14 on 127.0.0.41-54 so the legacy route can be tried from loopback. */
export function demoConfig(): ConfigInput {
  return {
    lanName: "RetroLAN (demo)",
    host: "sim",
    machines: Array.from({ length: DEMO_MACHINE_COUNT }, (_, i) => ({
      id: i + 1,
      name: `retro-${String(i + 1).padStart(2, "0")}`,
      ip: `127.0.0.${41 + i}`,
      dmName: `retrocow${i + 1}`,
    })),
  };
}
