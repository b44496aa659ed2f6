import { describe, expect, it } from "vitest";
import { clientAddress, isLoopback, machineIndex, normalizeIp } from "@/lib/net/client-address";
import { parseConfig } from "@/lib/config/load";
import { demoConfig } from "@/lib/config/demo";

describe("caller address mapping", () => {
  it("treats IPv4-mapped IPv6 as the IPv4 address", () => {
    expect(normalizeIp("::ffff:127.0.0.45")).toBe("127.0.0.45");
    expect(normalizeIp("::FFFF:10.1.2.3")).toBe("10.1.2.3");
  });

  it("canonicalises IPv6 text forms and rejects garbage", () => {
    expect(normalizeIp("fe80:0:0:0:0:0:0:1")).toBe(normalizeIp("fe80::1"));
    expect(normalizeIp("[::1]")).toBe("0:0:0:0:0:0:0:1");
    expect(normalizeIp("fe80::1%eth0")).toBe(normalizeIp("fe80::1"));
    expect(normalizeIp("127.0.0.450")).toBeNull();
    expect(normalizeIp("")).toBeNull();
    expect(normalizeIp(undefined)).toBeNull();
  });

  it("ignores X-Forwarded-For unless the peer is a trusted proxy", () => {
    expect(clientAddress("127.0.0.1", "127.0.0.45", [])).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.9", "127.0.0.45", ["127.0.0.1"])).toBe("127.0.0.9");
    expect(clientAddress("::ffff:127.0.0.1", "127.0.0.45", ["127.0.0.1"])).toBe("127.0.0.45");
  });

  it("walks a chain of trusted proxies from the nearest hop and stops at the first untrusted one", () => {
    // client spoofs 127.0.0.41; real client 127.0.0.46 -> proxy A (127.0.0.2) -> proxy B (127.0.0.1) -> us
    expect(clientAddress("127.0.0.1", "127.0.0.41, 127.0.0.46, 127.0.0.2", ["127.0.0.1", "127.0.0.2"])).toBe("127.0.0.46");
    expect(clientAddress("127.0.0.1", "not-an-ip", ["127.0.0.1"])).toBeNull();
  });

  it("maps the demo PCs' configured IPs to their machines", () => {
    const idx = machineIndex(parseConfig(demoConfig()).machines);
    expect(idx.get("127.0.0.45")?.name).toBe("retro-05");
    expect(idx.get("127.0.0.41")?.dmName).toBe("retrocow1");
    expect(idx.get("127.0.0.54")?.name).toBe("retro-14");
    expect(idx.get("127.0.0.55")).toBeUndefined();
    expect(idx.get("127.0.0.1")).toBeUndefined();
  });

  it("knows loopback", () => {
    expect(isLoopback("::ffff:127.0.0.1")).toBe(true);
    expect(isLoopback("::1")).toBe(true);
    expect(isLoopback("10.0.0.1")).toBe(false);
    expect(isLoopback(null)).toBe(false);
  });

  it("does not take an IPv4-compatible IPv6 address for loopback (::1.2.3.4 is ::102:304)", () => {
    for (const addr of ["::1.2.3.4", "::102:304", "::127.0.0.1", "[::1.2.3.4]", "::1.2.3.4%eth0"]) expect(isLoopback(addr), addr).toBe(false);
    expect(normalizeIp("::1.2.3.4")).toBe("0:0:0:0:0:0:102:304");
    expect(normalizeIp("::1.2.3.4")).not.toBe(normalizeIp("::1"));
    expect(isLoopback("127.255.0.9")).toBe(true);
    expect(isLoopback("[::1]")).toBe(true);
    expect(isLoopback("0:0:0:0:0:0:0:1")).toBe(true);
    expect(normalizeIp("::ffff:7f00:1")).toBe("127.0.0.1");
    expect(isLoopback("::0.0.0.1")).toBe(true); // that one is ::1
  });

  it("accepts only the strict textual forms of IPv4", () => {
    for (const addr of ["127.1", "0x7f.0.0.1", "0177.0.0.1", "2130706433"]) expect(normalizeIp(addr), addr).toBeNull();
  });

  it("trusts proxies given as CIDR ranges, IPv4-mapped peers included", () => {
    expect(clientAddress("::ffff:10.1.2.3", "127.0.0.45", ["10.1.0.0/16"])).toBe("127.0.0.45");
    expect(clientAddress("10.2.0.1", "127.0.0.45", ["10.1.0.0/16"])).toBe("10.2.0.1");
    expect(clientAddress("127.0.0.1", "::1.2.3.4", ["127.0.0.1"])).toBe("0:0:0:0:0:0:102:304");
    expect(clientAddress("127.0.0.1", "127.0.0.41, ::127.0.0.1", ["127.0.0.1"])).toBe("0:0:0:0:0:0:7f00:1");
  });
});
