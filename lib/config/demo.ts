import type { Env } from "./env";
import type { ConfigInput } from "./schema";

export const DEMO_MACHINE_COUNT = 14;
/** The largest simulated room: a /24. */
export const DEMO_MACHINE_MAX = 250;

/** The demo room's second group: PCs past this id are the newer ones (their own master and defaults). */
export const DEMO_RETRO_PCS = 10;

/**
 * The built-in RetroLAN: retro-01..14 on 127.0.0.41-54 so the legacy route can be tried from
 * loopback, in two PC groups: "retro" (retro-01..10, "Retro PCs", on storage.master) and "newer"
 * (retro-11..14, "Newer PCs", on its own master /store/win7.img, with a larger COW). COWHERD_SIM_HOSTS=<n> spreads the PCs over n simulated storage hosts (store-a, store-b …).
 * COWHERD_SIM_PCS=<n> (up to 250) makes a bigger room: retro-001 … on 127.0.1.1 … . Every PC has a
 * MAC, and Wake-on-LAN packets go to loopback (127.0.0.1), never onto a real network. The big room
 * is one group (every PC alike, as a stress room). The Retro PCs (the big room's one group) have a
 * shared game disk with COWHERD_SIM_GAMEDISK=1 (the app's demo mode: unless set to 0).
 */
export function demoConfig(env: Env = {}): ConfigInput {
  const n = Math.max(1, Math.min(8, Number(env.COWHERD_SIM_HOSTS) || 1));
  const count = Math.max(1, Math.min(DEMO_MACHINE_MAX, Number(env.COWHERD_SIM_PCS) || DEMO_MACHINE_COUNT));
  const big = count > DEMO_MACHINE_COUNT;
  const hosts = n > 1 ? Array.from({ length: n }, (_, i) => ({ name: `store-${String.fromCharCode(97 + i)}` })) : undefined;
  const hex = (v: number) => v.toString(16).padStart(2, "0");
  const grouped = !big && count > DEMO_RETRO_PCS;
  const game = env.COWHERD_SIM_GAMEDISK === "1";
  return {
    lanName: "RetroLAN (demo)",
    host: "sim",
    ...(hosts ? { hosts } : {}),
    // The Retro PCs share a game disk (issue 19): the game library as their second disk, a COW per PC.
    // With COWHERD_SIM_GAMEDISK=1, which the app's demo mode sets unless told 0 (load.ts); without it,
    // the room the older tests were written for.
    ...(grouped
      ? {
          groups: [
            { name: "retro", label: "Retro PCs", ...(game ? { gameDisk: { master: "/store/games.img" } } : {}) },
            { name: "newer", label: "Newer PCs", master: "/store/win7.img", defaults: { cowSizeMiB: 400 } },
          ],
        }
      : game
        ? { groups: [{ name: "default", label: "All PCs", gameDisk: { master: "/store/games.img" } }] }
        : {}),
    wol: { broadcast: "127.0.0.1", port: Number(env.COWHERD_SIM_WOL_PORT) || 40009, batchSize: 10, intervalSeconds: 2 },
    machines: Array.from({ length: count }, (_, i) => ({
      id: i + 1,
      name: big ? `retro-${String(i + 1).padStart(3, "0")}` : `retro-${String(i + 1).padStart(2, "0")}`,
      ip: big ? `127.0.1.${i + 1}` : `127.0.0.${41 + i}`,
      dmName: `retrocow${i + 1}`,
      mac: `52:54:00:00:${hex((i + 1) >> 8)}:${hex((i + 1) & 0xff)}`,
      ...(hosts ? { host: hosts[Math.floor((i * n) / count)]!.name } : {}),
      ...(grouped ? { group: i < DEMO_RETRO_PCS ? "retro" : "newer" } : {}),
    })),
    // Shown working: a PC used and then off for half an hour is reset (its simulated PCs are off 15 min
    // on average, so now and then one is); a daily reset is left off, as a room would choose its own time.
    schedule: { afterOff: { minutes: 30 }, draftCleanup: { days: 14 } },
  };
}
