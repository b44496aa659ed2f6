import { isIP } from "node:net";
import type { Machine } from "../config/schema";

/** "::ffff:10.0.0.45" and "10.0.0.45" are the same caller; IPv6 is compared in one canonical form. */
export function normalizeIp(raw: string | undefined | null): string | null {
  if (!raw) return null;
  let ip = raw.trim();
  if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.slice(1, -1);
  const zone = ip.indexOf("%");
  if (zone >= 0) ip = ip.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) ip = mapped[1]!;
  const kind = isIP(ip);
  if (kind === 4) return ip;
  if (kind === 6) return canonicalIpv6(ip);
  return null;
}

function canonicalIpv6(ip: string): string {
  // Expand "::" and drop leading zeros so textual variants compare equal.
  const [head, tail] = ip.toLowerCase().split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.map((g) => parseInt(g, 16).toString(16)).join(":");
}

/**
 * The caller's address: the socket peer, or the left-most X-Forwarded-For entry that the chain of
 * trusted proxies vouches for. Without trusted proxies the header is ignored.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trustedProxies: readonly string[]): string | null {
  let addr = normalizeIp(peer);
  if (!addr || !forwardedFor || trustedProxies.length === 0) return addr;
  const trusted = new Set(trustedProxies.map((p) => normalizeIp(p)));
  const hops = forwardedFor.split(",").map((h) => normalizeIp(h));
  // Walk from the nearest hop outwards while the hop we got it from is trusted.
  while (addr && trusted.has(addr) && hops.length) {
    const next = hops.pop();
    if (!next) return null;
    addr = next;
  }
  return addr;
}

export function machineIndex(machines: readonly Machine[]): Map<string, Machine> {
  return new Map(machines.map((m) => [normalizeIp(m.ip)!, m]));
}

export function isLoopback(raw: string | null | undefined): boolean {
  const ip = normalizeIp(raw);
  return ip !== null && (ip.startsWith("127.") || ip === "0:0:0:0:0:0:0:1");
}
