import ipaddr from "ipaddr.js";

/**
 * An address as people write it: IPv6 in its short form ("::1", not "0:0:0:0:0:0:0:1"), an
 * IPv4-mapped one as the IPv4 address it is. Anything that is not an address is shown as it is.
 */
export function shortAddress(raw: string): string {
  if (!ipaddr.isValid(raw)) return raw;
  const ip = ipaddr.parse(raw);
  if (ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()) return (ip as ipaddr.IPv6).toIPv4Address().toString();
  return ip.toString();
}
