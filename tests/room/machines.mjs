// @ts-check
// The room's machines on the host: diskless retro PCs (QEMU with Debian's iPXE ROM) and a LAN
// client, all on one QEMU socket LAN (a UDP multicast group on loopback) with the storage guest.
import { spawn } from "node:child_process";
import path from "node:path";
import { combine, printable } from "../../scripts/guest/run-guest.mjs";
import { CpioWriter } from "../../scripts/guest/cpio.mjs";

/** The room's LAN: a multicast group and port on loopback. @typedef {{ group: string, port: number }} Lan */
/** @typedef {{ id: number, name: string, ip: string, mac: string }} Pc */
/** @typedef {import("node:child_process").ChildProcessByStdio<import("node:stream").Writable | null, import("node:stream").Readable, import("node:stream").Readable>} ConsoleChild */

/** The LAN: every machine's NIC joins this multicast group on 127.0.0.1 (no frame leaves loopback). @param {Lan} lan */
export function lanNetdev(lan, id = "lan") {
  return ["-netdev", `socket,id=${id},mcast=${lan.group}:${lan.port},localaddr=127.0.0.1`];
}

/** Lines of a child's serial console, with waiting for a pattern. */
class Console {
  /** @param {string} name @param {ConsoleChild} child @param {boolean} echo */
  constructor(name, child, echo) {
    this.name = name;
    this.text = "";
    /** @type {{ at: number, line: string }[]} */
    this.lines = [];
    /** @type {{ test: () => boolean }[]} */
    this.waiters = [];
    let buf = "";
    /** @param {Buffer} d */
    const feed = (d) => {
      buf += d.toString("latin1");
      let nl;
      while ((nl = buf.search(/\r?\n/)) >= 0) {
        const line = printable(buf.slice(0, nl));
        buf = buf.slice(buf[nl] === "\r" ? nl + 2 : nl + 1);
        if (!line.trim()) continue;
        this.lines.push({ at: Date.now(), line });
        this.text += line + "\n";
        if (echo) console.log(`  ${name}| ${line}`);
        this.waiters = this.waiters.filter((w) => !w.test());
      }
    };
    child.stdout.on("data", feed);
    child.stderr.on("data", feed);
  }

  /**
   * The first line from `from` (an index into lines) matching re; rejects after ms.
   * @param {RegExp} re @param {number} ms @returns {Promise<string>}
   */
  waitFor(re, ms, from = 0) {
    return new Promise((resolve, reject) => {
      const test = () => {
        const hit = this.lines.slice(from).find((l) => re.test(l.line));
        if (hit) {
          clearTimeout(timer);
          resolve(hit.line);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.test !== test);
        reject(
          new Error(
            `${this.name}: no line matching ${re} within ${ms / 1000} s; last lines:\n${this.lines
              .slice(-15)
              .map((l) => l.line)
              .join("\n")}`,
          ),
        );
      }, ms);
      if (!test()) this.waiters.push({ test });
    });
  }
}

/**
 * One retro PC: no disk at all, iPXE from its e1000's option ROM, the LAN, COM1 on stdio and
 * isa-debug-exit (the boot program's power switch). Each start is a power-on.
 */
export class RetroPc {
  /** @param {Pc} pc @param {Lan} lan */
  constructor(pc, lan, { echo = true } = {}) {
    this.pc = pc;
    this.lan = lan;
    this.echo = echo;
    /** @type {import("node:child_process").ChildProcessWithoutNullStreams | null} */
    this.child = null;
    /** @type {Console | null} */
    this.screen = null;
    /** @type {Promise<number | null>} the power-on's QEMU exit code */
    this.exited = Promise.resolve(null);
  }

  powerOn() {
    if (this.child) throw new Error(`${this.pc.name} is already on`);
    const args = [
      "-accel",
      "tcg",
      "-M",
      "pc",
      "-m",
      "64",
      "-nographic",
      "-nodefaults",
      "-serial",
      "stdio",
      "-boot",
      "n",
      "-no-reboot",
      "-device",
      "isa-debug-exit,iobase=0xf4,iosize=0x04",
      ...lanNetdev(this.lan),
      "-device",
      `e1000,netdev=lan,mac=${this.pc.mac}`,
    ];
    const child = spawn("qemu-system-x86_64", args, { stdio: ["pipe", "pipe", "pipe"] });
    this.child = child;
    this.screen = new Console(this.pc.name, child, this.echo);
    this.exited = new Promise((r) => child.once("exit", (code) => r(code)));
    child.once("exit", () => {
      if (this.child === child) this.child = null;
    });
    return this.screen;
  }

  /** What its serial console has shown since its last power-on. */
  get console() {
    if (!this.screen) throw new Error(`${this.pc.name} was never powered on`);
    return this.screen;
  }

  /** A key on COM1: the boot program's commands (H hold, Q shut down, P power cut). @param {string} ch */
  key(ch) {
    this.child?.stdin.write(ch);
  }

  /** The count the boot program printed, waiting for it. */
  async bootCount(ms = 240_000) {
    const line = await this.console.waitFor(/RETRO BOOT COUNT \d+/, ms);
    const m = /RETRO BOOT COUNT (\d+) IMAGE (\S)/.exec(line);
    if (!m) throw new Error(`${this.pc.name}: a boot count without its image: ${line}`);
    return { count: Number(m[1]), image: m[2] };
  }

  /** The game disk's marker the boot program printed (its second BIOS drive's first sector), or NONE. */
  async gameMarker(ms = 240_000) {
    const line = await this.console.waitFor(/RETRO GAME \S+/, ms);
    return /RETRO GAME (\S+)/.exec(line)?.[1] ?? null;
  }

  /** Pull the plug (QEMU killed): whatever the PC had open stays open on the target. */
  async powerCut() {
    if (!this.child) return;
    this.child.kill("SIGKILL");
    await this.exited;
  }
}

/**
 * A throwaway Linux on the LAN with a PC's MAC (the same kernel as the storage guest, busybox only):
 * gets its address from DHCP like the PC would and fetches one URL. Returns what it got.
 * @param {{ guest: import("../../scripts/guest/build-guest.mjs").GuestPaths, workDir: string, lan: Lan, mac: string, url: string, timeoutMs?: number }} how
 */
export async function lanFetch({ guest, workDir, lan, mac, url, timeoutMs = 180_000 }) {
  const init = `#!/bin/sh
export PATH=/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules/order); do insmod /modules/$m.ko 2>/dev/null; done
ip link set lo up
ip link set eth0 up
cat > /tmp/dhcp.sh <<'EOF'
#!/bin/sh
[ "$1" = bound ] && ifconfig "$interface" "$ip" netmask "$subnet" && echo "ROOM-CLIENT-ADDRESS $ip"
exit 0
EOF
chmod +x /tmp/dhcp.sh
udhcpc -i eth0 -f -q -n -t 20 -T 2 -s /tmp/dhcp.sh
# (no -T: Debian's static busybox 1.35 wget crashes with a timeout set; the test's timeout covers it)
body=$(wget -q -O - "$(sed -n 's/.*room.url=\\([^ ]*\\).*/\\1/p' /proc/cmdline)" 2>&1)
echo "ROOM-CLIENT-BODY [$body]"
poweroff -f
`;
  const overlay = path.join(workDir, "client-overlay.cpio");
  const initrd = path.join(workDir, "client-initrd.cpio");
  const cpio = new CpioWriter(overlay);
  cpio.dir("tmp");
  cpio.file("init", init, 0o755);
  cpio.close();
  combine(guest.client, overlay, initrd);
  const child = spawn(
    "qemu-system-x86_64",
    [
      "-accel",
      "tcg",
      "-M",
      "pc",
      "-m",
      "256",
      "-nographic",
      "-nodefaults",
      "-serial",
      "stdio",
      "-no-reboot",
      ...lanNetdev(lan),
      "-device",
      `virtio-net-pci,netdev=lan,mac=${mac}`,
      "-kernel",
      guest.vmlinux,
      "-initrd",
      initrd,
      "-append",
      `console=ttyS0 quiet panic=-1 room.url=${url}`,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const con = new Console("lan-client", child, true);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  await new Promise((r) => child.once("exit", r));
  clearTimeout(timer);
  const address = /ROOM-CLIENT-ADDRESS (\S+)/.exec(con.text)?.[1] ?? null;
  const body = /ROOM-CLIENT-BODY \[(.*)\]/.exec(con.text)?.[1] ?? null;
  return { address, body, log: con.text };
}
