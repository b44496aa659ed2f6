import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { chainScript, DhcpConfigError, dnsmasqConfig, iscDhcpdConfig } from "@/lib/boot/dhcp-config";
import { parseConfig } from "@/lib/config/load";

const pcs = (ips: string[], extra: object = {}) =>
  parseConfig({
    lanName: "RetroLAN",
    machines: ips.map((ip, i) => ({ id: i + 1, name: `retro-0${i + 1}`, ip, dmName: `retrocow${i + 1}`, mac: `52:54:00:13:00:4${i + 1}` })),
    ...extra,
  });

describe("dhcp-config", () => {
  const cfg = pcs(["10.13.0.41", "10.13.0.42"]);

  it("dnsmasq: a static lease per PC by MAC, no pool, iPXE chained to the TFTP chain script", () => {
    const text = dnsmasqConfig(cfg, { server: "10.13.0.1:3000", tftpRoot: "/run/tftp" });
    expect(text).toContain("dhcp-range=10.13.0.0,static,255.255.255.0");
    expect(text).toContain("dhcp-host=52:54:00:13:00:41,10.13.0.41,retro-01");
    expect(text).toContain("dhcp-host=52:54:00:13:00:42,10.13.0.42,retro-02");
    expect(text).toMatch(/^dhcp-boot=tag:ipxe,cowherd\.ipxe$/m);
    expect(text).toMatch(/^dhcp-boot=tag:!ipxe,undionly\.kpxe$/m);
    expect(text).toContain("tftp-root=/run/tftp");
    // Every non-comment line is a dnsmasq option=value.
    for (const line of text.split("\n").filter((l) => l && !l.startsWith("#"))) expect(line).toMatch(/^[a-z-]+(=\S+)?$/);
  });

  it("ISC dhcpd: hosts with fixed addresses, iPXE by user class", () => {
    const text = iscDhcpdConfig(cfg, { server: "10.13.0.1:3000" });
    expect(text).toContain("subnet 10.13.0.0 netmask 255.255.255.0 {");
    expect(text).toContain("next-server 10.13.0.1;");
    expect(text).toContain("host retro-02 { hardware ethernet 52:54:00:13:00:42; fixed-address 10.13.0.42; }");
    expect(text.split("{").length).toBe(text.split("}").length);
  });

  it("the chain script fetches the configured boot path and retries while Cowherd is away", () => {
    const text = chainScript(pcs(["10.13.0.41"], { ipxe: { path: "/pxe/boot" } }), { server: "10.13.0.1:8080" });
    expect(text.startsWith("#!ipxe\n")).toBe(true);
    // Once the boot script has run its course the chain script ends too (no "did not answer").
    expect(text).toContain("chain http://10.13.0.1:8080/pxe/boot || goto unreachable\nexit\n:unreachable");
    expect(text).toMatch(/sleep \d+\ngoto fetch/);
  });

  it("a LAN name cannot smuggle a line into a script", () => {
    const text = chainScript(pcs(["10.13.0.41"], { lanName: "Retro\nshell" }), { server: "10.13.0.1" });
    expect(text.split("\n").filter((l) => l === "shell")).toHaveLength(0);
    expect(text).toContain("Retro?shell");
  });

  it("refuses what it cannot express, with the reason", () => {
    expect(() => dnsmasqConfig(cfg, { server: "10.13.0.1; reboot" })).toThrow(/expected address\[:port\]/);
    expect(() => dnsmasqConfig(pcs(["10.13.0.41", "10.13.1.42"]), { server: "10.13.0.1" })).toThrow(/not all in one \/24.*--subnet/);
    expect(dnsmasqConfig(pcs(["10.13.0.41", "10.13.1.42"]), { server: "10.13.0.1", subnet: "10.13.0.0/16" })).toContain(
      "dhcp-range=10.13.0.0,static,255.255.0.0",
    );
    expect(() => dnsmasqConfig(cfg, { server: "10.13.0.1", subnet: "10.14.0.0/16" })).toThrow(/not in 10\.14\.0\.0\/16/);
    const noMac = parseConfig({ machines: [{ id: 1, name: "retro-01", ip: "10.13.0.41", dmName: "retrocow1" }] });
    expect(() => dnsmasqConfig(noMac, { server: "10.13.0.1" })).toThrow(DhcpConfigError);
    expect(() => dnsmasqConfig(noMac, { server: "10.13.0.1" })).toThrow(/no MAC address .* retro-01/);
  });

  it("the CLI prints it from COWHERD_CONFIG, and says what is missing", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cowherd-dhcp-"));
    const file = path.join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ machines: [{ id: 1, name: "retro-01", ip: "10.13.0.41", dmName: "retrocow1", mac: "52:54:00:13:00:41" }] }));
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", "dhcp-config", ...args], {
        encoding: "utf8",
        env: { ...process.env, COWHERD_CONFIG: file },
      });
    const missing = cli();
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/--server <address\[:port\]>/);
    const ok = cli("--server", "10.13.0.1:3000");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("dhcp-host=52:54:00:13:00:41,10.13.0.41,retro-01");
    const chain = cli("--format", "chain", "--server", "10.13.0.1:3000");
    expect(chain.stdout).toContain("chain http://10.13.0.1:3000/boot/ipxe");
    expect(cli("--bogus", "x").status).toBe(2);
  });
});
