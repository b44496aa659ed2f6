import { networkInterfaces } from "node:os";
import type { Config } from "../config/schema";
import { isLoopback, normalizeIp, parseIp } from "../net/client-address";

const INTERFACES_TTL_MS = 10_000;
let ownCache: { at: number; addresses: Set<string> } | undefined;

/** This machine's own interface addresses (normalised), re-read every 10 s (DHCP, hot-plugged NICs). */
export function ownAddresses(now = Date.now()): Set<string> {
  if (!ownCache || now - ownCache.at > INTERFACES_TTL_MS) {
    const addresses = new Set<string>();
    for (const list of Object.values(networkInterfaces()))
      for (const a of list ?? []) {
        const ip = normalizeIp(a.address);
        if (ip) addresses.add(ip);
      }
    ownCache = { at: now, addresses };
  }
  return ownCache.addresses;
}

const configured = new WeakMap<Config, Set<string>>();

/**
 * Whether a browser origin may make state-changing requests. The request's Host header is NOT
 * consulted: under DNS rebinding an attacker's name (rebind.attacker.example) resolves to this
 * server, and the browser sends that name as both Host and Origin. Allowed are:
 * - the configured origins, exactly (allowedOrigins and publicUrl: scheme, host and port);
 * - loopback hosts on any port: localhost, 127.0.0.0/8, [::1];
 * - IP literals that are addresses of this machine's own interfaces, on any port (rebinding needs
 *   a host NAME that the attacker controls, so an IP literal of ours is safe).
 * Any other name reaches Cowherd for reading but cannot log in or change anything until it is
 * added to allowedOrigins.
 */
export function isAllowedOrigin(source: string, config: Config): boolean {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return false; // "null" or garbage
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  let exact = configured.get(config);
  if (!exact) {
    exact = new Set([...config.allowedOrigins, ...(config.publicUrl ? [config.publicUrl] : [])].map((o) => new URL(o).origin));
    configured.set(config, exact);
  }
  if (exact.has(url.origin)) return true;
  if (url.hostname === "localhost") return true;
  const ip = parseIp(url.hostname); // "[::1]" included; a name is null here
  if (!ip) return false;
  return isLoopback(url.hostname) || ownAddresses().has(ip.toNormalizedString());
}
