import path from "node:path";
import { z } from "zod";
import { HOST_NAME_PATTERN, MACHINE_ID_MAX } from "../constants";
import { groupUpdateTarget } from "../host/images";
import { scheduleSchema } from "./schedule-schema";

// Names end up in argv for dmsetup/tgtadm/targetcli; keep them to a charset no tool treats specially.
const dmName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "letters, digits, '_', '.', '-' (max 64)");
const ip = z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" });
const ipOrRange = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: "must be an IPv4 or IPv6 address or CIDR range" });
const absPath = z.string().regex(/^\/[^\0]*$/, "must be an absolute path");
const hostName = z.string().regex(HOST_NAME_PATTERN, "lower-case letters, digits and '-' (max 32)");
// Handed to ssh as the remote command: plain words only, so no remote shell can read anything into them.
const remoteWord = z.string().regex(/^[A-Za-z0-9_./=:-]+$/, "letters, digits and _ . / = : - only");
const iqn = z.string().regex(/^iqn\.\d{4}-\d{2}\.[a-z0-9.-]+(:[A-Za-z0-9_.:-]+)?$/, "must look like iqn.YYYY-MM.reversed.domain[:name]");

export const machineSchema = z
  .object({
    id: z.number().int().min(1).max(MACHINE_ID_MAX),
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/),
    ip,
    dmName,
    mac: z
      .string()
      .regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i)
      .optional(),
    /** COW size; the kernel counts the whole COW device (header and metadata included). */
    cowSizeMiB: z
      .number()
      .int()
      .min(1)
      .max(1024 * 1024)
      .optional(),
    /** How far auto-extend (and Grow) may take this PC's COW; a reset brings it back to cowSizeMiB. */
    maxCowSizeMiB: z
      .number()
      .int()
      .min(1)
      .max(1024 * 1024)
      .optional(),
    /** This PC's own warning and danger levels (default: the room's warnPercent / dangerPercent). */
    warnPercent: z.number().min(1).max(100).optional(),
    dangerPercent: z.number().min(1).max(100).optional(),
    chunkSectors: z
      .number()
      .int()
      .min(8)
      .max(1024)
      .refine((n) => (n & (n - 1)) === 0, "must be a power of two")
      .optional(),
    mode: z.enum(["P", "PO"]).optional(),
    cowPath: absPath.optional(),
    iqn: iqn.optional(),
    /** The storage host (hosts[].name) that holds this PC's COW and exports its LUN; default: the first. */
    host: hostName.optional(),
    /** Its group (groups[].name): the master image it boots and its defaults; default: the first group. */
    group: hostName.optional(),
  })
  .strict();

const pcDefaults = {
  cowSizeMiB: z
    .number()
    .int()
    .min(1)
    .max(1024 * 1024)
    .optional(),
  maxCowSizeMiB: z
    .number()
    .int()
    .min(1)
    .max(1024 * 1024)
    .optional(),
  chunkSectors: z
    .number()
    .int()
    .min(8)
    .max(1024)
    .refine((n) => (n & (n - 1)) === 0, "must be a power of two")
    .optional(),
  mode: z.enum(["P", "PO"]).optional(),
  warnPercent: z.number().min(1).max(100).optional(),
  dangerPercent: z.number().min(1).max(100).optional(),
};

/**
 * PCs that boot one master image (a hardware generation, a room corner): the group has its own
 * master and versions (update mode, publish, rollback, retention) and its own PC defaults. Without
 * `groups` every PC is in one group, "default", whose master is storage.master.
 */
export const groupSchema = z
  .object({
    name: hostName,
    /** How the dashboard names it ("Retro PCs"); default: its name. */
    label: z.string().min(1).max(64).optional(),
    /** Its master image (version 1); default: storage.master, which only one group may use. */
    master: absPath.optional(),
    /** Where its new versions go; default: its master's directory. */
    imageDir: absPath.optional(),
    keepVersions: z.number().int().min(1).max(100).optional(),
    /** Defaults for its PCs (a PC's own keys win; the room's defaults fill the rest). */
    defaults: z.object(pcDefaults).strict().optional(),
    /**
     * A second disk every PC of the group sees (the game library): its own read-only master with
     * versions (update mode, publish, rollback like the system disk's), and a COW per PC.
     */
    gameDisk: z
      .object({
        master: absPath,
        /** Where its new versions go; default: its master's directory. */
        imageDir: absPath.optional(),
        keepVersions: z.number().int().min(1).max(100).optional(),
        /** The PCs' game COWs (default: the group's COW defaults, else the room's). */
        cowSizeMiB: pcDefaults.cowSizeMiB,
        maxCowSizeMiB: pcDefaults.maxCowSizeMiB,
        chunkSectors: pcDefaults.chunkSectors,
        mode: pcDefaults.mode,
      })
      .strict()
      .optional(),
  })
  .strict();

const sshSchema = z
  .object({
    /** Host name or address of the storage host's sshd. */
    host: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$/, "a host name or IP address"),
    port: z.number().int().min(1).max(65535).default(22),
    user: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "a Unix user name")
      .default("cowherd"),
    /** Private key of the web app's user; the remote account should force the agent command. */
    identityFile: absPath,
    /** Strict host keys: the storage host's key must already be in this file. */
    knownHostsFile: absPath,
    command: z.array(remoteWord).min(1).max(16).default(["sudo", "-n", "/usr/local/sbin/cowherd-helper", "serve"]),
    connectTimeoutSeconds: z.number().int().min(1).max(120).default(10),
  })
  .strict();

export const storageHostSchema = z
  .object({
    name: hostName,
    /** local: the agent runs here through sudo -n; ssh: on another machine through OpenSSH. */
    transport: z.enum(["local", "ssh"]).default("local"),
    ssh: sshSchema.optional(),
    /**
     * Where the PCs reach this host's iSCSI target, "address[:port]" (their sanboot URI). Default:
     * for a local host the address the PC used to reach Cowherd, for an ssh host its ssh address.
     */
    portal: z
      .string()
      .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, "an address, optionally :port")
      .optional(),
  })
  .strict()
  .refine((h) => h.transport !== "ssh" || h.ssh, { message: "transport ssh needs an ssh block", path: ["ssh"] });

export const configSchema = z
  .object({
    lanName: z.string().min(1).max(64).default("RetroLAN"),
    host: z.enum(["sim", "real"]).default("sim"),
    machines: z.array(machineSchema).min(1).max(MACHINE_ID_MAX),
    /** Storage hosts; without it one local host holds every PC (configs from before hosts keep working). */
    hosts: z
      .array(storageHostSchema)
      .min(1)
      .max(64)
      .default([{ name: "local", transport: "local" }]),
    /** PC groups, each with its own master image (groupSchema); without it one group, "default", holds every PC. */
    groups: z.array(groupSchema).min(1).max(32).optional(),
    defaults: z
      .object({
        cowSizeMiB: z
          .number()
          .int()
          .min(1)
          .max(1024 * 1024)
          .default(200),
        chunkSectors: z
          .number()
          .int()
          .min(8)
          .max(1024)
          .refine((n) => (n & (n - 1)) === 0, "must be a power of two")
          .default(64),
        mode: z.enum(["P", "PO"]).default("P"),
        /** Largest COW auto-extend or Grow may make (default: 4 × the PC's cowSizeMiB). */
        maxCowSizeMiB: z
          .number()
          .int()
          .min(1)
          .max(1024 * 1024)
          .optional(),
      })
      .strict()
      .default({ cowSizeMiB: 200, chunkSectors: 64, mode: "P" }),
    storage: z
      .object({
        master: absPath.default("/store/master.img"),
        cowDir: absPath.default("/store"),
        iqnPrefix: iqn.default("iqn.2010-01.lan.retrolan"),
        backend: z.enum(["tgt", "lio", "iet"]).default("tgt"),
        /** Initiator addresses allowed on each target: "machine" binds a PC's target to its own IP. */
        access: z.enum(["machine", "all"]).default("machine"),
        /** Free space on the COW store no COW is ever created or grown into: a full store kills every snapshot. */
        reserveMiB: z
          .number()
          .int()
          .min(0)
          .max(16 * 1024 * 1024)
          .default(1024),
        /** An event warns when free space on a COW store falls below reserveMiB + this. */
        lowSpaceMiB: z
          .number()
          .int()
          .min(0)
          .max(16 * 1024 * 1024)
          .default(4096),
        /** Where new master image versions go (master.v2.img, …); default: the master's directory. */
        imageDir: absPath.optional(),
        /** Image versions kept: older ones are deleted once no PC sits on them. */
        keepVersions: z.number().int().min(1).max(100).default(3),
      })
      .strict()
      .default({
        master: "/store/master.img",
        cowDir: "/store",
        iqnPrefix: "iqn.2010-01.lan.retrolan",
        backend: "tgt",
        access: "machine",
        reserveMiB: 1024,
        lowSpaceMiB: 4096,
        keepVersions: 3,
      }),
    helper: z
      .object({
        path: absPath.default("/usr/local/sbin/cowherd-helper"),
        sudo: absPath.default("/usr/bin/sudo"),
        ssh: absPath.default("/usr/bin/ssh"),
        timeoutMs: z.number().int().min(1000).max(600_000).default(120_000),
      })
      .strict()
      .default({ path: "/usr/local/sbin/cowherd-helper", sudo: "/usr/bin/sudo", ssh: "/usr/bin/ssh", timeoutMs: 120_000 }),
    warnPercent: z.number().min(1).max(100).default(75),
    dangerPercent: z.number().min(1).max(100).default(90),
    /**
     * Online auto-extend with lvm2's meaning (lvm.conf snapshot_autoextend_threshold / _percent):
     * a running PC whose COW passes `threshold` % grows by `percent` % of its current size, up to its
     * maxCowSizeMiB, never into the store's reserve. threshold 100 turns it off (lvm2's default).
     */
    autoextend: z
      .object({
        threshold: z.number().int().min(50, "at least 50 (lvm2's minimum)").max(100).default(100),
        percent: z.number().int().min(1).max(100).default(20),
      })
      .strict()
      .default({ threshold: 100, percent: 20 }),
    /** Usage history: sampled from the shared status read, full resolution for fullHours, then 5-minute buckets for keepDays. */
    usage: z
      .object({
        sampleSeconds: z.number().int().min(2).max(300).default(10),
        /** The fill rate is the slope of the samples in this window (since the PC's last reset). */
        rateWindowMinutes: z.number().int().min(1).max(120).default(10),
        fullHours: z.number().int().min(1).max(168).default(24),
        keepDays: z.number().int().min(1).max(365).default(30),
      })
      .strict()
      .default({ sampleSeconds: 10, rateWindowMinutes: 10, fullHours: 24, keepDays: 30 }),
    /** Events and the notifications sent for them (targets are set in Settings). */
    alerts: z
      .object({
        /** A PC projected to be full within this many minutes at its current rate raises an event. */
        projectedFullMinutes: z
          .number()
          .int()
          .min(1)
          .max(24 * 60)
          .default(60),
        /**
         * Such a projection is a warning; it is danger (act now) only when the PC is close: full
         * within projectedDangerMinutes and already past projectedDangerPercent of its COW. A PC at
         * 3 MiB of 200 filling fast for a minute is not an emergency.
         */
        projectedDangerMinutes: z
          .number()
          .int()
          .min(1)
          .max(24 * 60)
          .default(15),
        projectedDangerPercent: z.number().int().min(0).max(100).default(50),
        /** Notifications per target per minute; beyond that they are summed up in one message. */
        perMinute: z.number().int().min(1).max(600).default(12),
        /** Events older than this are deleted by the scheduler. */
        keepDays: z.number().int().min(1).max(3650).default(90),
        /** Refuse to send to loopback and link-local addresses (README: security model says why it is off by default). */
        refuseLocalTargets: z.boolean().default(false),
      })
      .strict()
      .default({ projectedFullMinutes: 60, projectedDangerMinutes: 15, projectedDangerPercent: 50, perMinute: 12, keepDays: 90, refuseLocalTargets: false }),
    /** Wake-on-LAN: magic packets to the room's broadcast address, `batchSize` PCs every `intervalSeconds`. */
    wol: z
      .object({
        broadcast: z.ipv4({ error: "must be an IPv4 address (the LAN's broadcast address, e.g. 10.0.0.255)" }).default("255.255.255.255"),
        port: z.number().int().min(1).max(65535).default(9),
        /** Local address to send from (the room's interface on a machine with several). */
        bindAddress: z.ipv4().optional(),
        batchSize: z.number().int().min(1).max(250).default(10),
        intervalSeconds: z.number().min(0).max(120).default(2),
        /** From its packet to its first sign (its boot script fetched, its disk logged in to): until then a PC is "waiting", not missing. */
        bootWaitSeconds: z.number().int().min(1).max(1800).default(90),
      })
      .strict()
      .default({ broadcast: "255.255.255.255", port: 9, batchSize: 10, intervalSeconds: 2, bootWaitSeconds: 90 }),
    statusCacheMs: z.number().int().min(100).max(60_000).default(1000),
    /** PCs per host in one reset run; larger bulk resets go in runs of this size. */
    resetConcurrency: z.number().int().min(1).max(256).default(16),
    legacy: z
      .object({
        paths: z
          .array(z.string().regex(/^\/[A-Za-z0-9_./-]*$/))
          .min(1)
          .default(["/cgi/status"]),
        trustedProxies: z.array(ipOrRange).default([]),
      })
      .strict()
      .default({ paths: ["/cgi/status"], trustedProxies: [] }),
    boot: z
      .object({
        enabled: z.boolean().default(false),
        path: z
          .string()
          .regex(/^\/[A-Za-z0-9_./-]*$/)
          .default("/cgi/reset"),
        rebootImageUrl: z
          .string()
          .regex(/^https?:\/\/[^\s"'`$\\]+$/, "must be an http(s) URL without quotes or spaces")
          .default("http://boot.lan/reboot.com"),
        minIntervalSeconds: z.number().int().min(0).max(86_400).default(60),
      })
      .strict()
      .default({ enabled: false, path: "/cgi/reset", rebootImageUrl: "http://boot.lan/reboot.com", minIntervalSeconds: 60 }),
    /** PCs that boot through Cowherd with iPXE (DHCP chains them to `path`). */
    ipxe: z
      .object({
        path: z
          .string()
          .regex(/^\/[A-Za-z0-9_./-]*$/)
          .default("/boot/ipxe"),
        /** Where the PCs reach Cowherd, "address[:port]": for the DHCP snippets (dhcp-config). */
        server: z
          .string()
          .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, "an address, optionally :port")
          .optional(),
        failedPath: z
          .string()
          .regex(/^\/[A-Za-z0-9_./-]*$/)
          .default("/boot/failed"),
        /** iPXE keeps the SAN disk hooked if the booted system returns (what Windows' iSCSI boot wants). */
        keepSan: z.boolean().default(true),
        /**
         * Clear the PC's gateway before sanboot, so the iBFT hands Windows none: for rooms where
         * Windows routes the target's traffic through the gateway (iPXE issue 1599; see README).
         */
        clearGateway: z.boolean().default(false),
        /** A PC's initiator name is `<prefix>:<its name>`. */
        initiatorIqnPrefix: iqn.default("iqn.2010-01.lan.retrolan:initiator"),
        /** Booting with no iSCSI login this long is a failed boot. */
        bootTimeoutSeconds: z.number().int().min(10).max(3600).default(180),
        /** A session gone this long turns the PC off (sessions flap during reconnects). */
        offlineAfterSeconds: z.number().int().min(0).max(600).default(6),
        /** After a failed boot the PC tries again this often (the message stays on its screen). */
        retrySeconds: z.number().int().min(5).max(3600).default(60),
        /** Boots older than this are deleted by the scheduler (each PC's newest is kept). */
        keepDays: z.number().int().min(1).max(3650).default(90),
      })
      .strict()
      .default({
        path: "/boot/ipxe",
        failedPath: "/boot/failed",
        keepSan: true,
        clearGateway: false,
        initiatorIqnPrefix: "iqn.2010-01.lan.retrolan:initiator",
        bootTimeoutSeconds: 180,
        offlineAfterSeconds: 6,
        retrySeconds: 60,
        keepDays: 90,
      }),
    metrics: z
      .object({ allowFrom: z.enum(["loopback", "any", "login"]).default("loopback") })
      .strict()
      .default({ allowFrom: "loopback" }),
    session: z
      .object({
        idleMinutes: z
          .number()
          .int()
          .min(1)
          .default(12 * 60),
        absoluteHours: z
          .number()
          .int()
          .min(1)
          .default(7 * 24),
      })
      .strict()
      .default({ idleMinutes: 12 * 60, absoluteHours: 7 * 24 }),
    login: z
      .object({
        freeAttempts: z.number().int().min(1).max(100).default(5),
        maxDelaySeconds: z.number().int().min(1).max(86_400).default(900),
        windowMinutes: z.number().int().min(1).max(1440).default(15),
        /** A browser that logged in to an account stays a known source of it this long after its last login. */
        knownDeviceDays: z.number().int().min(1).max(3650).default(365),
        /** The same for an address; 0 trusts no address (behind a NAT shared with strangers, say). */
        knownAddressDays: z.number().int().min(0).max(3650).default(30),
      })
      .strict()
      .default({ freeAttempts: 5, maxDelaySeconds: 900, windowMinutes: 15, knownDeviceDays: 365, knownAddressDays: 30 }),
    audit: z
      .object({
        /** Rows older than this may be deleted (by the scheduler only; the database refuses younger ones). */
        retentionDays: z.number().int().min(1).max(36_500).default(180),
      })
      .strict()
      .default({ retentionDays: 180 }),
    /** Scheduled resets and draft clean-up (lib/config/schedule-schema.ts): all off unless written. */
    schedule: scheduleSchema,
    /**
     * Origins (scheme://host[:port]) allowed to log in and change things, besides loopback and this
     * machine's own IP addresses: every host NAME people use to reach Cowherd (the Host header is
     * never trusted, against DNS rebinding).
     */
    allowedOrigins: z.array(z.string().regex(/^https?:\/\/[A-Za-z0-9.:[\]-]+$/, "must be scheme://host[:port]")).default([]),
    /** The URL people use to reach Cowherd (a reverse proxy's, say); its origin is allowed like allowedOrigins. */
    publicUrl: z
      .string()
      .regex(/^https?:\/\/[A-Za-z0-9.:[\]-]+\/?$/, "must be scheme://host[:port]")
      .optional(),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = { id: new Set<number>(), name: new Set<string>(), ip: new Set<string>(), dmName: new Set<string>() };
    const hostNames = new Set<string>();
    cfg.hosts.forEach((h, i) => {
      if (hostNames.has(h.name)) ctx.addIssue({ code: "custom", path: ["hosts", i, "name"], message: `duplicate host name ${h.name}` });
      hostNames.add(h.name);
    });
    cfg.machines.forEach((m, i) => {
      for (const key of ["id", "name", "ip", "dmName"] as const) {
        const value = m[key] as never;
        const set = seen[key] as Set<unknown>;
        if (set.has(value)) ctx.addIssue({ code: "custom", path: ["machines", i, key], message: `duplicate ${key} ${String(value)}` });
        set.add(value);
      }
      if (m.host !== undefined && !hostNames.has(m.host))
        ctx.addIssue({ code: "custom", path: ["machines", i, "host"], message: `no storage host named ${m.host} in hosts` });
    });
    const groups = new Map<string, GroupInput>();
    const masters = new Map<string, string>();
    const versionFiles = new Map<string, string>();
    (cfg.groups ?? []).forEach((g, i) => {
      if (groups.has(g.name)) ctx.addIssue({ code: "custom", path: ["groups", i, "name"], message: `duplicate group name ${g.name}` });
      groups.set(g.name, g);
      const master = g.master ?? cfg.storage.master;
      const other = masters.get(master);
      if (other !== undefined)
        ctx.addIssue({ code: "custom", path: ["groups", i, "master"], message: `group ${other} has the same master ${master}: each group needs its own` });
      masters.set(master, g.name);
      // Versions are <imageDir>/<master's name>.v<n>.img: two groups must not make the same files.
      const dir = g.imageDir ?? (master === cfg.storage.master ? cfg.storage.imageDir : undefined) ?? path.posix.dirname(master);
      const files = path.posix.join(dir, path.posix.basename(master).replace(/\.img$/, ""));
      const clash = versionFiles.get(files);
      if (clash !== undefined && clash !== g.name)
        ctx.addIssue({
          code: "custom",
          path: ["groups", i, "master"],
          message: `group ${clash}'s versions would have the same file names (${files}.v<n>.img): give this master another name or another imageDir`,
        });
      versionFiles.set(files, g.name);
      const gd = g.gameDisk;
      if (gd) {
        const key = `${g.name} (game disk)`;
        const otherG = masters.get(gd.master);
        if (otherG !== undefined)
          ctx.addIssue({
            code: "custom",
            path: ["groups", i, "gameDisk", "master"],
            message: `${otherG} has the same master ${gd.master}: each disk needs its own`,
          });
        masters.set(gd.master, key);
        const gFiles = path.posix.join(gd.imageDir ?? path.posix.dirname(gd.master), path.posix.basename(gd.master).replace(/\.img$/, ""));
        const gClash = versionFiles.get(gFiles);
        if (gClash !== undefined)
          ctx.addIssue({
            code: "custom",
            path: ["groups", i, "gameDisk", "master"],
            message: `${gClash}'s versions would have the same file names (${gFiles}.v<n>.img): give this master another name or another imageDir`,
          });
        versionFiles.set(gFiles, key);
      }
    });
    const tids = new Map<number, string>();
    (cfg.groups ?? []).forEach((g, i) => {
      if ((g.master ?? cfg.storage.master) === cfg.storage.master) return; // keeps the update target of before groups
      const { tid } = groupUpdateTarget(cfg.storage.iqnPrefix, g.name);
      const other = tids.get(tid);
      if (other !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["groups", i, "name"],
          message: `groups ${other} and ${g.name} would share update target tid ${tid}: rename one`,
        });
      tids.set(tid, g.name);
    });
    (cfg.groups ?? []).forEach((g, i) => {
      if (!g.gameDisk) return;
      const { tid } = groupUpdateTarget(cfg.storage.iqnPrefix, gameLineKey(g.name));
      const other = tids.get(tid);
      if (other !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["groups", i, "gameDisk"],
          message: `${other} and ${g.name}'s game disk would share update target tid ${tid}: rename the group`,
        });
      tids.set(tid, `${g.name}'s game disk`);
    });
    cfg.machines.forEach((m, i) => {
      if (m.group !== undefined && !groups.has(m.group))
        ctx.addIssue({
          code: "custom",
          path: ["machines", i, "group"],
          message: cfg.groups
            ? `no group named ${m.group} in groups (groups: ${[...groups.keys()].join(", ")})`
            : `no group named ${m.group}: add it under groups`,
        });
    });
    cfg.machines.forEach((m, i) => {
      const grp = m.group !== undefined ? groups.get(m.group) : cfg.groups?.[0];
      if (grp?.gameDisk) {
        const gameDm = gameDmName(m.dmName);
        if (gameDm.length > 64)
          ctx.addIssue({ code: "custom", path: ["machines", i, "dmName"], message: `too long for a game disk (${gameDm} is over 64 characters)` });
        if (seen.dmName.has(gameDm))
          ctx.addIssue({ code: "custom", path: ["machines", i, "dmName"], message: `its game disk's device ${gameDm} is another PC's dmName` });
      }
      const g = grp?.defaults ?? {};
      const cow = m.cowSizeMiB ?? g.cowSizeMiB ?? cfg.defaults.cowSizeMiB;
      const max = m.maxCowSizeMiB ?? g.maxCowSizeMiB ?? cfg.defaults.maxCowSizeMiB;
      if (max !== undefined && max < cow)
        ctx.addIssue({
          code: "custom",
          path: ["machines", i, m.maxCowSizeMiB !== undefined ? "maxCowSizeMiB" : "cowSizeMiB"],
          message: `maxCowSizeMiB (${max}) must be ≥ cowSizeMiB (${cow})`,
        });
      if ((m.dangerPercent ?? g.dangerPercent ?? cfg.dangerPercent) < (m.warnPercent ?? g.warnPercent ?? cfg.warnPercent))
        ctx.addIssue({ code: "custom", path: ["machines", i, "dangerPercent"], message: "must be ≥ warnPercent" });
    });
    if (cfg.dangerPercent < cfg.warnPercent) ctx.addIssue({ code: "custom", path: ["dangerPercent"], message: "must be ≥ warnPercent" });
    if (cfg.alerts.projectedDangerMinutes > cfg.alerts.projectedFullMinutes)
      ctx.addIssue({ code: "custom", path: ["alerts", "projectedDangerMinutes"], message: "must be ≤ projectedFullMinutes" });
    if (cfg.legacy.paths.includes(cfg.boot.path)) ctx.addIssue({ code: "custom", path: ["boot", "path"], message: "must differ from the legacy status paths" });
    const front = [...cfg.legacy.paths, cfg.boot.path];
    for (const key of ["path", "failedPath"] as const) {
      if (front.includes(cfg.ipxe[key]) || (key === "failedPath" && cfg.ipxe.failedPath === cfg.ipxe.path))
        ctx.addIssue({ code: "custom", path: ["ipxe", key], message: "must differ from the other boot and legacy paths" });
      if (/^\/(api|_next)\//.test(cfg.ipxe[key])) ctx.addIssue({ code: "custom", path: ["ipxe", key], message: "must not be under /api or /_next" });
    }
  });

type GroupInput = z.output<typeof groupSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type RawConfig = z.output<typeof configSchema>;

/** A machine with every default applied: what the rest of the app works with. */
export interface Machine {
  id: number;
  name: string;
  ip: string;
  dmName: string;
  mac?: string;
  cowSizeMiB: number;
  /** Largest size auto-extend and Grow may give the COW. */
  maxCowSizeMiB: number;
  warnPercent: number;
  dangerPercent: number;
  chunkSectors: number;
  mode: "P" | "PO";
  cowPath: string;
  iqn: string;
  host: string;
  group: string;
  /** Its game disk (its group has one): a second snapshot over the group's game master, on LUN system+1. */
  game?: GameDiskOfPc;
}

/** A PC's game disk: its own dm device and COW, sized like a system COW. */
export interface GameDiskOfPc {
  /** `<dmName>-game` */
  dmName: string;
  /** Beside the system COW: `<cowDir>/<dmName>-game.cow` */
  cowPath: string;
  cowSizeMiB: number;
  maxCowSizeMiB: number;
  chunkSectors: number;
  mode: "P" | "PO";
}

/** A group's game disk master, with every default applied. */
export interface GameDisk {
  master: string;
  imageDir: string;
  keepVersions: number;
}

/** A group with every default applied. */
export interface Group {
  name: string;
  label: string;
  master: string;
  imageDir: string;
  keepVersions: number;
  /** The group's shared game disk, when it has one. */
  game?: GameDisk;
}

/** The disks a PC can have: its system disk (LUN as the backend numbers it), and its group's game disk (the next LUN). */
export type DiskKind = "system" | "game";

/** A game disk's dm device beside the system disk's. */
export const gameDmName = (dmName: string): string => `${dmName}-game`;

/**
 * The key of a group's game disk line of versions (state file images-<key>.json, update target
 * :update-<key>): "<group>-game".
 */
export const gameLineKey = (group: string): string => `${group}-game`;

export type Config = Omit<RawConfig, "machines" | "groups"> & { machines: Machine[]; groups: Group[] };
export type StorageHostConfig = RawConfig["hosts"][number];
