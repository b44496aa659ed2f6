import { lookup } from "node:dns/promises";
import { parseIp } from "../net/client-address";

/** Address ranges `alerts.refuseLocalTargets` keeps notifications away from: this machine and link-local networks. */
const LOCAL_RANGES = new Set(["loopback", "linkLocal", "unspecified"]);

export type Lookup = (host: string) => Promise<string[]>;
const systemLookup: Lookup = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Why a target URL may not be sent to when local targets are refused, or null when it may: its host
 * (an address, or every address its name resolves to) must not be loopback, link-local or
 * unspecified. Checked at each send, so a name that later resolves elsewhere is caught then.
 */
export async function localTargetRefusal(url: string, resolve: Lookup = systemLookup): Promise<string | null> {
  const host = new URL(url).hostname;
  const literal = parseIp(host);
  let addresses: string[];
  if (literal) addresses = [host];
  else {
    try {
      addresses = await resolve(host);
    } catch (e) {
      return `cannot resolve ${host}: ${(e as Error).message}`;
    }
  }
  const local = addresses.find((a) => LOCAL_RANGES.has(parseIp(a)?.range() ?? ""));
  return local === undefined ? null : `${host} is a loopback or link-local address (${local}): refused by alerts.refuseLocalTargets`;
}
