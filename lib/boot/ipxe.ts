/**
 * The iPXE scripts Cowherd answers, as text. Everything put into them comes from the config (names,
 * IQNs, addresses, all checked against plain character sets) or is a number: nothing from a request.
 */
export interface PcBoot {
  name: string;
  ip: string;
  host: string;
  initiatorIqn: string;
  /** "iscsi:<server>::<port>:<lun>:<target iqn>" */
  sanUri: string;
  keepSan: boolean;
  /**
   * Clear the boot interface's gateway before sanboot (ipxe.clearGateway): the iBFT then carries
   * none, so Windows does not route the target's traffic through the gateway (iPXE issue 1599).
   */
  clearGateway?: boolean;
  failedPath: string;
  /** A line to show first (the reset done before this boot, or why it could not be). */
  note?: string;
  /** Update mode: the sanUri is the update target, the draft of this master image version. */
  updateOf?: number;
  /**
   * Its group's game disk, hooked as BIOS drive 0x81 before the system disk boots: its own LUN on
   * the PC's target, or (game disk update mode) the game draft's update target.
   */
  game?: { sanUri: string; updateOf?: number };
}

export const IPXE_CONTENT_TYPE = "text/plain; charset=utf-8";

/** The answer (429) to a source past its boot-route budget: nothing of it was looked at. */
export const BUSY_SCRIPT = "#!ipxe\necho Cowherd: too many requests from this PC; try again in a few seconds\nexit 1\n";

/** Text for an `echo` line: printable ASCII, no iPXE setting expansion. */
const say = (s: string) => s.replace(/[^ -~]/g, "?").replace(/\$/g, "S");

export function sanUri(server: string, port: number, lun: number, iqn: string): string {
  return `iscsi:${server}::${port}:${lun}:${iqn}`;
}

/** The PC's own boot: its initiator name, sanboot its target; on failure Cowherd decides what next. */
export function pcScript(b: PcBoot): string {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: iPXE expands ${cowherd-step} itself
  const report = `${b.failedPath}?step=${b.game ? "${cowherd-step}" : "sanboot"}&errno=\${errno}`;
  return [
    "#!ipxe",
    b.updateOf === undefined
      ? `echo Cowherd: ${say(b.name)} (${b.ip}) boots from its disk on storage host ${say(b.host)}`
      : `echo Cowherd: ${say(b.name)} (${b.ip}) boots in UPDATE MODE: the draft of master image v${b.updateOf} on storage host ${say(b.host)}, read-write`,
    ...(b.updateOf === undefined ? [] : [`echo Cowherd: what you install goes into v${b.updateOf}; shut down when done, then publish it in Cowherd`]),
    ...(b.game?.updateOf === undefined
      ? []
      : [
          `echo Cowherd: its GAME DISK is in UPDATE MODE: the draft of game disk v${b.game.updateOf}, read-write`,
          `echo Cowherd: what you install on the game disk goes into v${b.game.updateOf}; shut down when done, then publish it in Cowherd`,
        ]),
    ...(b.note ? [`echo Cowherd: ${say(b.note)}`] : []),
    `set initiator-iqn ${b.initiatorIqn}`,
    `set keep-san ${b.keepSan ? 1 : 0}`,
    // netX is the interface iPXE opened last (the one it booted from); the iBFT takes its gateway
    // from this setting. Set at netX's own level it hides the DHCP one without losing it.
    ...(b.clearGateway ? ["set netX/gateway 0.0.0.0"] : []),
    // With a game disk: both drives hooked in BIOS order (the system disk as 0x80 first, so neither
    // is remapped onto the other's natural drive number), then the hooked 0x80 booted. A game disk
    // that cannot be hooked stops the boot (a seat without its games is broken), said as its own step.
    ...(b.game
      ? [
          "set cowherd-step sanboot",
          `sanhook --drive 0x80 ${b.sanUri} || goto failed`,
          "set cowherd-step sanhook",
          `sanhook --drive 0x81 ${b.game.sanUri} || goto failed`,
          "set cowherd-step sanboot",
          "sanboot --drive 0x80 || goto failed",
        ]
      : [`sanboot ${b.sanUri} || goto failed`]),
    ":failed",
    // A drive sanboot did not hook itself stays hooked when the booted system returns: unhooked here,
    // so the PC logs out of both as it does with one disk (iPXE keeps them when keep-san is set).
    ...(b.game ? ["sanunhook --drive 0x81 || set cowherd-unhook failed", "sanunhook --drive 0x80 || set cowherd-unhook failed"] : []),
    // Back to the DHCP gateway, so the failure report reaches Cowherd wherever it is.
    ...(b.clearGateway ? ["clear netX/gateway"] : []),
    // Cowherd's answer decides what comes next; without this exit its end would fall through below.
    `chain ${report} || goto unreachable`,
    "exit",
    ":unreachable",
    "echo",
    `echo Cowherd: ${say(b.name)} could not boot from its disk (\${errno}), and Cowherd did not answer.`,
    `echo   Its disk: ${b.sanUri}`,
    ...(b.game ? [`echo   Its game disk: ${b.game.sanUri}`] : []),
    "echo   Tell the LAN admin. Trying again in 60 seconds...",
    "sleep 60",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: iPXE expands ${filename} itself
    "chain ${filename} || reboot",
    "",
  ].join("\n");
}

/** Shown on the PC's screen when its boot failed; it tries again after a while. */
export function failedScript(b: Pick<PcBoot, "name" | "sanUri" | "host">, errno: string, meaning: string, retrySeconds: number, bootPath: string): string {
  return [
    "#!ipxe",
    "echo",
    `echo Cowherd: ${say(b.name)} could NOT boot from its disk.`,
    `echo   Error ${errno}: ${say(meaning)} (see http://ipxe.org/${errno.replace(/^0x/, "")})`,
    `echo   Its disk: ${b.sanUri} on storage host ${say(b.host)}`,
    "echo   Cowherd has recorded this; tell the LAN admin.",
    `echo   Trying again in ${retrySeconds} seconds...`,
    `sleep ${retrySeconds}`,
    `chain ${bootPath}`,
    "",
  ].join("\n");
}

/** The booted system gave control back to iPXE (it ended): nothing more to do here. */
export function returnedScript(name: string): string {
  return ["#!ipxe", `echo Cowherd: ${say(name)}'s system has ended (it returned to the boot loader).`, "exit", ""].join("\n");
}

/** A caller that is not one of the PCs: why, and stop. */
export function notPcScript(addr: string | null, lanName: string): string {
  return [
    "#!ipxe",
    `echo Cowherd: this machine (${addr ? say(addr) : "unknown address"}) is not one of the PCs of ${say(lanName)}, so there is no disk for it.`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: iPXE expands ${net0/mac} itself
    "echo   Ask the LAN admin to add it to Cowherd's config (its MAC is ${net0/mac}).",
    "exit 1",
    "",
  ].join("\n");
}

// iPXE's own numbering of the POSIX errors (src/include/errno.h), in an errno's top byte.
// biome-ignore-start lint/complexity/useSimpleNumberKeys: hex, as in iPXE's errno.h
const POSIX: Record<number, string> = {
  0x02: "permission denied: the target refused this PC",
  0x0d: "connection aborted",
  0x0e: "connection refused: is the iSCSI target (tgtd) running on the storage host?",
  // iPXE reports a refused connection (RST to its SYN) as a reset too.
  0x0f: "connection reset or refused: is the iSCSI target (tgtd) running on the storage host?",
  0x17: "host unreachable: is the storage host on the network?",
  0x1d: "input/output error",
  0x28: "network unreachable",
  0x2c: "no such device",
  0x2d: "not found: the target does not offer this disk",
  0x38: "not connected",
  0x3e: "no such disk: the target has no such LUN",
  0x43: "protocol error (the target refused the login?)",
  0x4c: "connection timed out: is the storage host reachable?",
};
// biome-ignore-end lint/complexity/useSimpleNumberKeys: hex, as in iPXE's errno.h

/**
 * What an iPXE error number means, as far as a boot cares: iPXE's errno carries the POSIX error in
 * its top byte. ECANCELED from sanboot is the booted system handing control back (INT 18h).
 */
export function errnoMeaning(errno: number): { returned: boolean; meaning: string } {
  const posix = errno >>> 24;
  if (posix === 0x0b) return { returned: true, meaning: "the booted system returned to the boot loader" };
  return { returned: false, meaning: POSIX[posix] ?? "the disk could not be booted" };
}
