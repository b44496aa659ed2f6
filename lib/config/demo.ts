import type { Env } from "./env";
import type { ConfigInput } from "./schema";

export const DEMO_MACHINE_COUNT = 14;

/**
 * The built-in RetroLAN: retro-01..14 on 127.0.0.41-54 so the legacy route can be tried from
 * loopback. COWHERD_SIM_HOSTS=<n> spreads the PCs over n simulated storage hosts (store-a, store-b …).
 */
export function demoConfig(env: Env = {}): ConfigInput {
  const n = Math.max(1, Math.min(8, Number(env.COWHERD_SIM_HOSTS) || 1));
  const hosts = n > 1 ? Array.from({ length: n }, (_, i) => ({ name: `store-${String.fromCharCode(97 + i)}` })) : undefined;
  return {
    lanName: "RetroLAN (demo)",
    host: "sim",
    ...(hosts ? { hosts } : {}),
    machines: Array.from({ length: DEMO_MACHINE_COUNT }, (_, i) => ({
      id: i + 1,
      name: `retro-${String(i + 1).padStart(2, "0")}`,
      ip: `127.0.0.${41 + i}`,
      dmName: `retrocow${i + 1}`,
      ...(hosts ? { host: hosts[Math.floor((i * n) / DEMO_MACHINE_COUNT)]!.name } : {}),
    })),
  };
}
