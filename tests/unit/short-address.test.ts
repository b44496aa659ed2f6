import { describe, expect, it } from "vitest";
import { shortAddress } from "@/components/ui/address";
import { normalizeIp } from "@/lib/net/client-address";

describe("shortAddress: an address as people write it", () => {
  it("shows loopback IPv6 as ::1, even as it is stored (every group)", () => {
    expect(shortAddress("0:0:0:0:0:0:0:1")).toBe("::1");
    expect(shortAddress(normalizeIp("::1")!)).toBe("::1");
  });
  it("shows an IPv4-mapped address as IPv4", () => {
    expect(shortAddress("::ffff:10.0.0.45")).toBe("10.0.0.45");
    expect(shortAddress("0:0:0:0:0:ffff:a00:2d")).toBe("10.0.0.45");
  });
  it("compresses the longest run of zero groups and keeps the rest", () => {
    expect(shortAddress("2001:db8:0:0:0:0:2:1")).toBe("2001:db8::2:1");
    expect(shortAddress("fe80:0:0:0:1:0:0:1")).toBe("fe80::1:0:0:1");
  });
  it("leaves IPv4 and anything that is not an address as it is", () => {
    expect(shortAddress("127.0.0.1")).toBe("127.0.0.1");
    expect(shortAddress("unknown")).toBe("unknown");
  });
});
