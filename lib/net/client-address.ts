import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import proxyaddr from "proxy-addr";
import type { Machine } from "../config/schema";

const IPV4_COMPATIBLE = /^::(\d{1,3}(?:\.\d{1,3}){3})$/;

/** A parsed address after mapping IPv4-mapped IPv6 ("::ffff:10.0.0.45") to IPv4; null for anything else. */
export function parseIp(raw: string | undefined | null): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!raw) return null;
  let ip = raw.trim();
  if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.slice(1, -1);
  const zone = ip.indexOf("%");
  if (zone >= 0) ip = ip.slice(0, zone);
  // node:net accepts only the strict textual forms (no "127.1", "0x7f.0.0.1" or octal parts, which
  // ipaddr.js would also take); ipaddr.js then knows what the address is.
  if (isIP(ip) === 0) return null;
  // ipaddr.js reads the deprecated IPv4-compatible form "::a.b.c.d" as IPv4-mapped (so "::127.0.0.1"
  // would become loopback 127.0.0.1). It is the IPv6 address ::XXXX:XXXX, and libuv prints peers
  // in that range this way: build it from its groups.
  const compatible = IPV4_COMPATIBLE.exec(ip);
  if (compatible) {
    const [a, b, c, d] = ipaddr.IPv4.parse(compatible[1]!).octets as [number, number, number, number];
    return new ipaddr.IPv6([0, 0, 0, 0, 0, 0, (a << 8) | b, (c << 8) | d]);
  }
  return ipaddr.process(ip);
}

/**
 * "::ffff:10.0.0.45" and "10.0.0.45" are the same caller; IPv6 is compared in one canonical form
 * (every group, no leading zeros: "0:0:0:0:0:0:0:1"). `::1.2.3.4` is the IPv6 address ::102:304,
 * not loopback and not an IPv4 address.
 */
export function normalizeIp(raw: string | undefined | null): string | null {
  const ip = parseIp(raw);
  return ip === null ? null : ip.toNormalizedString();
}

const compiled = new WeakMap<readonly string[], (addr: string, i: number) => boolean>();

/** A matcher for a list of trusted proxies (addresses or CIDR ranges), compiled once per list. */
export function trustFunction(trustedProxies: readonly string[]): (addr: string, i: number) => boolean {
  let fn = compiled.get(trustedProxies);
  if (!fn) compiled.set(trustedProxies, (fn = trustedProxies.length ? proxyaddr.compile([...trustedProxies]) : () => false));
  return fn;
}

/** True when the address is one of the trusted proxies. */
export function isTrustedProxy(raw: string | null | undefined, trustedProxies: readonly string[]): boolean {
  const ip = normalizeIp(raw);
  return ip !== null && trustFunction(trustedProxies)(ip, 0);
}

/**
 * The caller's address: the socket peer, or the left-most X-Forwarded-For entry that the chain of
 * trusted proxies vouches for (proxy-addr walks it from the nearest hop and stops at the first
 * address that is not a trusted proxy). Without trusted proxies the header is ignored.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trustedProxies: readonly string[]): string | null {
  const addr = normalizeIp(peer);
  if (!addr || !forwardedFor || trustedProxies.length === 0) return addr;
  // Hops go to proxy-addr normalised (its own ipaddr.js would read "::127.0.0.1" as 127.0.0.1);
  // a hop that is no address stays one that matches no proxy, so the walk stops there.
  const hops = forwardedFor.split(",").map((h) => normalizeIp(h) ?? "invalid");
  const req = { socket: { remoteAddress: addr }, headers: { "x-forwarded-for": hops.join(", ") } };
  return normalizeIp(proxyaddr(req as unknown as Parameters<typeof proxyaddr>[0], trustFunction(trustedProxies)));
}

/**
 * The block one party is likely to control, for counting per source: the IPv4 address itself, or
 * the IPv6 /64 (one host gets a whole /64 and can pick any address in it).
 */
export function addressBlock(raw: string | null | undefined): string | null {
  const ip = parseIp(raw);
  if (!ip) return null;
  if (ip.kind() === "ipv4") return ip.toNormalizedString();
  return `${(ip as ipaddr.IPv6).parts
    .slice(0, 4)
    .map((p) => p.toString(16))
    .join(":")}::/64`;
}

export function machineIndex(machines: readonly Machine[]): Map<string, Machine> {
  return new Map(machines.map((m) => [normalizeIp(m.ip)!, m]));
}

/** 127.0.0.0/8 and ::1 (IPv4-mapped loopback counts; ::127.0.0.1 and ::1.2.3.4 do not). */
export function isLoopback(raw: string | null | undefined): boolean {
  return parseIp(raw)?.range() === "loopback";
}
