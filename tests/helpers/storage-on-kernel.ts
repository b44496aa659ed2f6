import { Storage } from "@/helper/storage/storage";
import { parseConfig } from "@/lib/config/load";
import { SimKernel } from "@/lib/host/sim/kernel/kernel";

/** Two PCs on one store with a 64 MiB master: the smallest room the helper's tests need. */
export const twoPcConfig = parseConfig({
  host: "real",
  machines: [
    { id: 1, name: "pc1", ip: "10.0.0.41", dmName: "retrocow1" },
    { id: 2, name: "pc2", ip: "10.0.0.42", dmName: "retrocow2" },
  ],
  defaults: { cowSizeMiB: 16, chunkSectors: 8, mode: "P" },
  storage: { master: "/store/master.img", cowDir: "/store", iqnPrefix: "iqn.2026-11.test.cowherd", reserveMiB: 64 },
});

/** The helper's storage code over a fresh simulated kernel holding the master (nothing set up yet). */
export function storageOnKernel(config = twoPcConfig): { fake: SimKernel; host: Storage } {
  const fake = new SimKernel();
  fake.addFile(config.storage.master, 64 * 1048576);
  const host = new Storage({ config, run: fake.runner, fs: fake.fs, dm: fake.worker, stateDir: "/run/cowherd", pid: 100, lockWaitMs: 300 });
  return { fake, host };
}

/** What runHelper gets on a storage host, here the simulated kernel's: the helper's whole outside. */
export const helperIo = (fake: SimKernel, config = twoPcConfig) => ({
  config: () => config,
  run: fake.runner,
  fs: fake.fs,
  dm: () => fake.worker,
  stateDir: "/run/cowherd",
  event: () => undefined,
});
