import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, loadConfigFile, parseConfig } from "@/lib/config/load";
import { demoConfig } from "@/lib/config/demo";

const one = (over: Record<string, unknown> = {}) => ({ machines: [{ id: 1, name: "pc1", ip: "10.0.0.41", dmName: "pc1", ...over }] });

describe("config", () => {
  it("demo config: 14 PCs on 127.0.0.41-54, retrocowN, 200 MiB, chunk 64", () => {
    const c = loadConfig({});
    expect(c.machines).toHaveLength(14);
    expect(c.machines.map((m) => m.ip)).toEqual(Array.from({ length: 14 }, (_, i) => `127.0.0.${41 + i}`));
    expect(c.machines[0]).toMatchObject({ name: "retro-01", dmName: "retrocow1", cowSizeMiB: 200, chunkSectors: 64, mode: "P" });
    expect(c.host).toBe("sim");
    expect(c.legacy.paths).toEqual(["/cgi/status"]);
    expect(c.boot.enabled).toBe(false);
  });

  it("applies defaults and derives COW path and IQN", () => {
    const c = parseConfig({ ...one(), storage: { cowDir: "/srv/cow", iqnPrefix: "iqn.2010-01.lan.example" } });
    expect(c.machines[0]).toMatchObject({ cowPath: "/srv/cow/pc1.cow", iqn: "iqn.2010-01.lan.example:pc1", cowSizeMiB: 200 });
  });

  it.each([
    [{ ...one({ ip: "10.0.0.999" }) }, "machines.0.ip"],
    [{ ...one({ dmName: "pc 1; rm -rf /" }) }, "machines.0.dmName"],
    [{ ...one({ chunkSectors: 48 }) }, "machines.0.chunkSectors"],
    [{ ...one({ id: 0 }) }, "machines.0.id"],
    [{ ...one(), colour: "red" }, "colour"],
    [{ ...one(), resetConcurrency: 0 }, "resetConcurrency"],
    [{ machines: [] }, "machines"],
    [{ ...one(), boot: { rebootImageUrl: 'http://x/"; reboot' } }, "boot.rebootImageUrl"],
    [{ machines: [...one().machines, { id: 2, name: "pc2", ip: "10.0.0.41", dmName: "pc2" }] }, "machines.1.ip"],
  ])("rejects a bad value and names its key (%#)", (input, key) => {
    expect(() => parseConfig(input)).toThrow(ConfigError);
    try {
      parseConfig(input);
    } catch (e) {
      expect((e as Error).message).toContain(key);
    }
  });

  it("reports unreadable and malformed files clearly", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cowherd-cfg-"));
    expect(() => loadConfigFile(path.join(dir, "missing.json"))).toThrow(/Cannot read config/);
    writeFileSync(path.join(dir, "bad.json"), "{ nope");
    expect(() => loadConfigFile(path.join(dir, "bad.json"))).toThrow(/not valid JSON/);
    writeFileSync(path.join(dir, "ok.json"), JSON.stringify(demoConfig()));
    expect(loadConfig({ COWHERD_CONFIG: path.join(dir, "ok.json") }).machines).toHaveLength(14);
  });
});
