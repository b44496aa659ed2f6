/**
 * DHCP stays the admin's: these are the snippets for their server (dnsmasq or ISC dhcpd) that give
 * each PC its configured address by MAC and chain its iPXE to Cowherd's boot script. Plain PXE ROMs
 * first load iPXE itself over TFTP (undionly.kpxe); iPXE (and gPXE) get a small chain script over
 * TFTP that fetches `/boot/ipxe` and keeps retrying while Cowherd cannot be reached, which a bare
 * URL in the DHCP filename cannot do.
 */
import ipaddr from "ipaddr.js";
import type { Config } from "../config/schema";

export const CHAIN_SCRIPT_NAME = "cowherd.ipxe";
export const PXE_LOADER_NAME = "undionly.kpxe";

export interface DhcpOptions {
  /** Where the PCs reach Cowherd: "address[:port]". */
  server: string;
  /** The PCs' subnet, "a.b.c.d/len"; default: the /24 holding them all. */
  subnet?: string;
  /** The TFTP root the chain script and undionly.kpxe are put in (dnsmasq serves it). */
  tftpRoot?: string;
}

export class DhcpConfigError extends Error {}

/** Config text in a comment: one line of printable ASCII. */
const plain = (s: string) => s.replace(/[^ -~]/g, "?");

interface Subnet {
  network: string;
  mask: string;
  prefix: number;
}

function subnetOf(config: Config, given: string | undefined): Subnet {
  const v4 = config.machines.filter((m) => ipaddr.IPv4.isValid(m.ip));
  if (v4.length !== config.machines.length) throw new DhcpConfigError("DHCP snippets are for IPv4 PCs; some PCs have IPv6 addresses");
  let network: ipaddr.IPv4;
  let prefix: number;
  if (given) {
    if (!ipaddr.IPv4.isValidCIDR(given)) throw new DhcpConfigError(`--subnet ${given}: expected a.b.c.d/len`);
    [network, prefix] = ipaddr.IPv4.parseCIDR(given);
  } else {
    prefix = 24;
    network = ipaddr.IPv4.parse(v4[0]!.ip);
  }
  network = ipaddr.IPv4.networkAddressFromCIDR(`${network.toString()}/${prefix}`);
  const outside = config.machines.filter((m) => !ipaddr.IPv4.parse(m.ip).match(network, prefix));
  if (outside.length) {
    throw new DhcpConfigError(
      given
        ? `${outside.map((m) => `${m.name} (${m.ip})`).join(", ")} not in ${given}`
        : `the PCs are not all in one /24 (${outside.map((m) => `${m.name} ${m.ip}`).join(", ")}): give their subnet with --subnet a.b.c.d/len`,
    );
  }
  return { network: network.toString(), mask: ipaddr.IPv4.subnetMaskFromPrefixLength(prefix).toString(), prefix };
}

function checked(config: Config, opts: DhcpOptions) {
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(opts.server))
    throw new DhcpConfigError(`server ${JSON.stringify(opts.server)}: expected address[:port], e.g. 10.13.0.1:3000`);
  const noMac = config.machines.filter((m) => !m.mac);
  if (noMac.length)
    throw new DhcpConfigError(
      `no MAC address in the config for ${noMac.map((m) => m.name).join(", ")}: add "mac" to each PC (DHCP hands out addresses by MAC)`,
    );
  return { subnet: subnetOf(config, opts.subnet), bootUrl: `http://${opts.server}${config.ipxe.path}` };
}

/** The script iPXE loads over TFTP: fetch this PC's boot script from Cowherd, retrying until it answers. */
export function chainScript(config: Config, opts: Pick<DhcpOptions, "server">): string {
  const bootUrl = `http://${opts.server}${config.ipxe.path}`;
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(opts.server))
    throw new DhcpConfigError(`server ${JSON.stringify(opts.server)}: expected address[:port], e.g. 10.13.0.1:3000`);
  return [
    "#!ipxe",
    `# Cowherd (${plain(config.lanName)}): this PC's boot script comes from Cowherd, which knows it by its address.`,
    ":fetch",
    `chain ${bootUrl} || goto unreachable`,
    "exit",
    ":unreachable",
    `echo Cowherd at ${bootUrl} did not answer (\${errno}): trying again in 10 seconds...`,
    "sleep 10",
    "goto fetch",
    "",
  ].join("\n");
}

export function dnsmasqConfig(config: Config, opts: DhcpOptions): string {
  const { subnet, bootUrl } = checked(config, opts);
  return [
    `# Cowherd: DHCP for ${plain(config.lanName)}'s ${config.machines.length} PCs (npm run cowherd -- dhcp-config).`,
    `# Each PC gets its configured address by MAC; iPXE then fetches ${bootUrl}.`,
    "# Addresses only for the PCs listed below (no pool for strangers):",
    `dhcp-range=${subnet.network},static,${subnet.mask}`,
    ...config.machines.map((m) => `dhcp-host=${m.mac!.toLowerCase()},${m.ip},${m.name}`),
    "# iPXE says so in DHCP option 175 (gPXE: user class gPXE): it gets the chain script;",
    `# a plain PXE ROM first gets iPXE itself (${PXE_LOADER_NAME}, from ipxe.org or Debian's ipxe package).`,
    "dhcp-match=set:ipxe,175",
    "dhcp-userclass=set:ipxe,gPXE",
    `dhcp-boot=tag:!ipxe,${PXE_LOADER_NAME}`,
    `dhcp-boot=tag:ipxe,${CHAIN_SCRIPT_NAME}`,
    "enable-tftp",
    `tftp-root=${opts.tftpRoot ?? "/srv/tftp"}`,
    `# ${opts.tftpRoot ?? "/srv/tftp"}/${CHAIN_SCRIPT_NAME} is the output of: npm run cowherd -- dhcp-config --format chain --server ${opts.server}`,
    "",
  ].join("\n");
}

export function iscDhcpdConfig(config: Config, opts: DhcpOptions & { tftpServer?: string }): string {
  const { subnet, bootUrl } = checked(config, opts);
  const tftp = opts.tftpServer ?? opts.server.replace(/:\d+$/, "");
  return [
    `# Cowherd: DHCP for ${plain(config.lanName)}'s ${config.machines.length} PCs (npm run cowherd -- dhcp-config --format isc).`,
    `# Each PC gets its configured address by MAC; iPXE then fetches ${bootUrl}.`,
    `subnet ${subnet.network} netmask ${subnet.mask} {`,
    `  next-server ${tftp};`,
    '  if exists user-class and (option user-class = "iPXE" or option user-class = "gPXE") {',
    `    filename "${CHAIN_SCRIPT_NAME}";`,
    "  } else {",
    `    filename "${PXE_LOADER_NAME}";`,
    "  }",
    "}",
    ...config.machines.map((m) => `host ${m.name} { hardware ethernet ${m.mac!.toLowerCase()}; fixed-address ${m.ip}; }`),
    `# ${CHAIN_SCRIPT_NAME} on the TFTP server is the output of: npm run cowherd -- dhcp-config --format chain --server ${opts.server}`,
    "",
  ].join("\n");
}
