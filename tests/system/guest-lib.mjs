// @ts-check
// Runs inside the QEMU guest (Debian 6.1 kernel, tgt, libiscsi's qemu-io/qemu-img, node, sudo,
// OpenSSH). The project tree is mounted read-only at /project.
import { spawn, spawnSync } from "node:child_process";
import { connect } from "node:net";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";

export const PROJECT = "/project";
export const HELPER = "/usr/local/sbin/cowherd-helper";
export const CONFIG = "/etc/cowherd/config.json";
export const MASTER = "/store/master.img";
export const MASTER_MIB = 64;
/** The web app's user (and, over ssh, the remote storage host's agent user). */
export const APP_USER = { name: "cowherd", uid: 990, gid: 990, home: "/var/lib/cowherd" };
export const SSH_PORT = 2222;
export const APP_PORT = 3000;
/**
 * A child's whole environment, nothing inherited. Typed as Node's env (Next's types make NODE_ENV a
 * required member, which a helper or daemon in the guest has no use for).
 * @param {Record<string, string>} vars
 * @returns {NodeJS.ProcessEnv}
 */
export const envOf = (vars) => /** @type {NodeJS.ProcessEnv} */ (/** @type {unknown} */ (vars));

const ENV = { PATH: "/usr/sbin:/usr/bin", LC_ALL: "C", DM_DISABLE_UDEV: "1" };

/**
 * The helper's JSON document (and the app's API answers), read loosely: the checks look at the fields
 * they name and print the whole document when it is not what they expected.
 * @typedef {{ [key: string]: any, machines?: { [key: string]: any }[], reports?: { [key: string]: any }[] }} Doc
 */
/** @typedef {{ [key: string]: any }} Row One element of a document's list (a PC, a host, a job's machine, a history row). */
/** @typedef {{ code: number, stdout: string, stderr: string, ms: number }} ShResult */

/**
 * A command with an argv array (never a shell), its output and exit code (-1 when it did not exit).
 * @param {string} file
 * @param {readonly string[]} args
 * @param {{ timeoutMs?: number, env?: Record<string, string>, cwd?: string, input?: string }} [opts]
 * @returns {ShResult}
 */
export function sh(file, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, {
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 300_000,
    env: envOf({ ...ENV, ...opts.env }),
    cwd: opts.cwd,
    input: opts.input,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "", ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/** The project's helper, run as the admin would: its argv, JSON on stdout, exit code. */
export function helper(/** @type {string[]} */ ...args) {
  const r = sh(HELPER, args);
  /** @type {Doc | null} */
  let json = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    /* reported by the caller */
  }
  return { ...r, json };
}

export const iqn = (/** @type {string} */ dm) => `iqn.2026-11.test.cowherd:${dm}`;
export const lunUrl = (/** @type {string} */ dm) => `iscsi://127.0.0.1/${iqn(dm)}/1`;

export function qemuIo(/** @type {string} */ dm, /** @type {string} */ command) {
  const r = sh("/usr/bin/qemu-io", ["-f", "raw", "-c", command, lunUrl(dm)]);
  // qemu-io prints failures but may still exit 0: judge by its words too.
  const failed = r.code !== 0 || /(failed|error|Pattern verification failed)/i.test(r.stdout + r.stderr);
  return { ...r, ok: !failed };
}

export function compareWithMaster(/** @type {string} */ dm) {
  const r = sh("/usr/bin/qemu-img", ["compare", "-f", "raw", "-F", "raw", MASTER, lunUrl(dm)]);
  return { ...r, identical: r.code === 0 && /Images are identical/.test(r.stdout) };
}

/** @type {import("node:child_process").ChildProcess | null} */
let tgtd = null;

export async function startTgtd() {
  mkdirSync("/run/tgtd", { recursive: true });
  tgtd = spawn("/usr/sbin/tgtd", ["-f"], { stdio: "ignore", env: envOf({ PATH: "/usr/sbin:/usr/bin" }) });
  tgtd.unref(); // the scenario's end must not wait for the daemon
  for (let i = 0; i < 100; i++) {
    if (sh("/usr/sbin/tgtadm", ["--op", "show", "--mode", "sys"]).code === 0) return;
    await sleep(100);
  }
  throw new Error("tgtd did not come up");
}

export async function stopTgtd() {
  if (!tgtd) return;
  const t = tgtd;
  tgtd = null;
  t.ref(); // keep the event loop alive until its exit arrives
  t.kill("SIGKILL");
  await /** @type {Promise<void>} */ (new Promise((r) => (t.exitCode !== null ? r() : t.once("exit", () => r()))));
  await sleep(200);
}

export const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** A master with a pattern that differs per MiB, so any wrong block shows. */
export function writeMaster(mib = MASTER_MIB) {
  mkdirSync("/store", { recursive: true });
  const buf = Buffer.alloc(mib * 1048576);
  for (let i = 0; i < mib; i++) buf.fill((0x41 + i * 7) & 0xff, i * 1048576, (i + 1) * 1048576);
  writeFileSync(MASTER, buf);
}

/** /etc/cowherd/config.json, root-owned: the helper's (and here also the web app's) config. */
/**
 * @param {{ id: number, name: string, ip: string, dmName: string, [key: string]: unknown }[]} machines
 * @param {Record<string, unknown>} [extra]
 */
export function writeConfig(machines, extra = {}) {
  mkdirSync("/etc/cowherd", { recursive: true });
  writeFileSync(
    CONFIG,
    JSON.stringify({
      host: "real",
      machines,
      defaults: { cowSizeMiB: 16, chunkSectors: 8, mode: "P" },
      storage: { master: MASTER, cowDir: "/store", iqnPrefix: "iqn.2026-11.test.cowherd", backend: "tgt", access: "all", reserveMiB: 16 },
      ...extra,
    }),
  );
  chmodSync(CONFIG, 0o644);
}

export function emit(/** @type {string} */ tag, /** @type {unknown} */ data) {
  process.stdout.write(`COWHERD-${tag} ${JSON.stringify(data)}\n`);
}

/** The loop device behind a PC's COW file ("dmsetup table" shows only major:minor). */
export function cowLoopOf(/** @type {string} */ dm) {
  const out = sh("/usr/sbin/losetup", ["-j", `/store/${dm}.cow`, "-O", "NAME", "-n"])
    .stdout.trim()
    .split("\n")[0];
  if (!out?.startsWith("/dev/loop")) throw new Error(`no loop device for /store/${dm}.cow`);
  return out;
}

// ── the storage host as an admin sets it up (README "Install on a storage host") ─────────────────

/** Users, sudo (with a PAM stack that allows no password at all) and the app's directories. */
export function setupOs() {
  const { name, uid, gid, home } = APP_USER;
  writeFileSync("/etc/passwd", `root:x:0:0:root:/root:/bin/sh\n${name}:x:${uid}:${gid}:Cowherd:${home}:/bin/sh\nsshd:x:100:65534::/run/sshd:/bin/false\n`);
  writeFileSync("/etc/group", `root:x:0:\n${name}:x:${gid}:\nnogroup:x:65534:\n`);
  writeFileSync("/etc/shadow", `root:*:20000:0:99999:7:::\n${name}:*:20000:0:99999:7:::\nsshd:*:20000:0:99999:7:::\n`, { mode: 0o640 });
  writeFileSync(
    "/etc/sudoers",
    "Defaults env_reset\nDefaults secure_path=/usr/local/sbin:/usr/sbin:/usr/bin\nroot ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n",
    { mode: 0o440 },
  );
  // No password can ever be given: only NOPASSWD rules (the project's sudoers file) let anything run.
  writeFileSync("/etc/pam.d/sudo", "auth required pam_deny.so\naccount required pam_permit.so\nsession required pam_permit.so\n");
  writeFileSync("/etc/hostname", "storage\n");
  // sudo looks its own host name up: without one it warns on every call.
  writeFileSync("/etc/hosts", "127.0.0.1 localhost storage\n::1 localhost\n");
  sh("/usr/bin/hostname", ["storage"]);
  for (const d of [home, `${home}/.ssh`]) {
    mkdirSync(d, { recursive: true });
    chownSync(d, uid, gid);
    chmodSync(d, 0o700);
  }
}

/** The project's own install script: root-owned helper in /usr/local/sbin, the sudoers file, visudo-checked. */
export function installHelper() {
  return sh("/usr/bin/bash", ["deploy/install-helper.sh"], { cwd: PROJECT });
}

/** @type {import("node:child_process").ChildProcessByStdio<null, null, import("node:stream").Readable> | null} */
let sshd = null;

/**
 * sshd on loopback as the "remote" storage host: the app's key may only run the agent (a forced
 * command in authorized_keys), the app knows the host key in advance (strict checking).
 */
export async function startSshd() {
  const { uid, gid, home } = APP_USER;
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  mkdirSync("/etc/cowherd/ssh", { recursive: true });
  if (!existsSync("/etc/ssh/ssh_host_ed25519_key")) sh("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", "/etc/ssh/ssh_host_ed25519_key"]);
  const key = "/etc/cowherd/ssh/id_ed25519";
  if (!existsSync(key)) sh("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "cowherd-app", "-f", key]);
  chownSync(key, uid, gid);
  chmodSync(key, 0o600);
  const hostKey = readFileSync("/etc/ssh/ssh_host_ed25519_key.pub", "utf8").split(" ").slice(0, 2).join(" ");
  writeFileSync("/etc/cowherd/ssh/known_hosts", `[127.0.0.1]:${SSH_PORT} ${hostKey}\n`);
  const pub = readFileSync(`${key}.pub`, "utf8").trim();
  writeFileSync(`${home}/.ssh/authorized_keys`, `command="sudo -n ${HELPER} serve",restrict ${pub}\n`, { mode: 0o600 });
  chownSync(`${home}/.ssh/authorized_keys`, uid, gid);
  writeFileSync(
    "/etc/ssh/sshd_config",
    [
      `Port ${SSH_PORT}`,
      "ListenAddress 127.0.0.1",
      "HostKey /etc/ssh/ssh_host_ed25519_key",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "PermitRootLogin no",
      "AuthorizedKeysFile .ssh/authorized_keys",
      "StrictModes yes",
      "LogLevel ERROR",
    ].join("\n") + "\n",
  );
  sshd = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", "/etc/ssh/sshd_config"], {
    stdio: ["ignore", "ignore", "pipe"],
    env: envOf({ PATH: "/usr/sbin:/usr/bin" }),
  });
  sshd.stderr.on("data", (d) => process.stdout.write(`sshd: ${d}`));
  sshd.unref();
  for (let i = 0; i < 100; i++) {
    if (await listening(SSH_PORT)) return;
    await sleep(100);
  }
  throw new Error("sshd did not come up");
}

export async function stopSshd() {
  if (!sshd) return;
  const s = sshd;
  sshd = null;
  s.ref();
  s.kill("SIGTERM");
  await /** @type {Promise<void>} */ (new Promise((r) => (s.exitCode !== null ? r() : s.once("exit", () => r()))));
  // sshd's per-connection children outlive the listener: end the sessions too.
  for (const p of processes(/^sshd: /)) process.kill(p.pid, "SIGTERM");
  await sleep(200);
}

/**
 * The built web app, run as its own unprivileged user exactly as the systemd unit does: real host,
 * the config above, the data dir in /var/lib/cowherd, talking to root only through sudo -n.
 */
export async function startApp(env = {}, timeoutMs = 360_000) {
  const { uid, gid, home } = APP_USER;
  const reports = "/tmp/app-reports";
  mkdirSync(reports, { recursive: true, mode: 0o1777 });
  chmodSync(reports, 0o1777);
  // --report-on-signal: a start that hangs is asked (SIGUSR2) where it is, in JavaScript and libuv.
  const node = ["/usr/bin/node", "--report-on-signal", "--report-signal=SIGUSR2", `--report-directory=${reports}`, "dist/server.mjs"];
  const t0 = Date.now();
  const child = spawn("/usr/bin/setpriv", [`--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", ...node], {
    cwd: PROJECT,
    stdio: ["ignore", "pipe", "pipe"],
    env: envOf({
      PATH: "/usr/bin:/usr/sbin",
      HOME: home,
      NODE_ENV: "production",
      PORT: String(APP_PORT),
      HOST: "127.0.0.1",
      COWHERD_CONFIG: CONFIG,
      COWHERD_DATA_DIR: home,
      COWHERD_ADMIN_PASSWORD: "system-test-password",
      COWHERD_VERBOSE: "1",
      ...env,
    }),
  });
  let log = "";
  const take = (/** @type {Buffer} */ d) => (log += d.toString());
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  const deadline = t0 + timeoutMs;
  while (!/ on http:\/\//.test(log)) {
    if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode}) after ${Date.now() - t0} ms:\n${log}`);
    if (Date.now() > deadline) {
      const why = await stuck(child, reports);
      child.kill("SIGKILL");
      throw new Error(`the app did not start in ${timeoutMs / 1000} s; its output:\n${log}\n${why}`);
    }
    await sleep(200);
  }
  emit("MEASURE", { name: "app start (node dist/server.mjs to its 'on http://' line)", ms: Date.now() - t0 });
  const url = `http://127.0.0.1:${APP_PORT}`;
  return {
    url,
    log: () => log,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      return new Promise((r) => child.once("exit", r));
    },
  };
}

/**
 * What a server that does not come up is doing: its Node report (JavaScript stack, libuv handles,
 * resource use), the kernel's view of its process (state, wait channel), the guest's memory and load,
 * and every process running.
 * @param {import("node:child_process").ChildProcess} child
 * @param {string} dir where the report lands
 */
async function stuck(child, dir) {
  const pid = child.pid ?? 0;
  const read = (/** @type {string} */ f) => {
    try {
      return readFileSync(f, "utf8");
    } catch (e) {
      return `(${e instanceof Error ? e.message : e})`;
    }
  };
  const before = new Set(readdirSync(dir));
  child.kill("SIGUSR2");
  let report = "(no report within 10 s)";
  for (let i = 0; i < 50; i++) {
    await sleep(200);
    const f = readdirSync(dir).find((n) => !before.has(n) && n.endsWith(".json"));
    if (!f) continue;
    try {
      const r = JSON.parse(read(`${dir}/${f}`));
      report = JSON.stringify(
        {
          javascriptStack: r.javascriptStack,
          libuv: (r.libuv ?? []).filter((/** @type {{ is_active?: boolean }} */ h) => h.is_active),
          resourceUsage: r.resourceUsage,
        },
        null,
        1,
      ).slice(0, 6000);
      break;
    } catch {
      /* still being written */
    }
  }
  const status = read(`/proc/${pid}/status`)
    .split("\n")
    .filter((l) => /^(State|VmRSS|Threads)/.test(l))
    .join(", ");
  const ps = processes(/./)
    .map((p) => `${p.pid} ${read(`/proc/${p.pid}/wchan`)} ${p.cmd}`)
    .join("\n");
  return `node report: ${report}\nprocess ${pid}: ${status}, wchan ${read(`/proc/${pid}/wchan`)}\n${read("/proc/loadavg")}${read("/proc/meminfo").split("\n").slice(0, 3).join(", ")}\nprocesses:\n${ps}`;
}

/** An admin session against the app's API, as the dashboard makes it (cookie + same Origin). */
export async function apiSession(/** @type {string} */ url, password = "system-test-password") {
  const login = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ username: "admin", password }),
  });
  if (login.status !== 200) throw new Error(`login: HTTP ${login.status} ${await login.text()}`);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  /** @type {(method: string, path: string, body?: unknown) => Promise<{ status: number, json: Doc | null }>} */
  const call = async (method, path, body) => {
    const r = await fetch(url + path, {
      method,
      headers: { cookie, origin: url, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, json: await r.json().catch(() => null) };
  };
  return {
    get: (/** @type {string} */ path) => call("GET", path),
    post: (/** @type {string} */ path, /** @type {unknown} */ body) => call("POST", path, body),
    put: (/** @type {string} */ path, /** @type {unknown} */ body) => call("PUT", path, body),
    del: (/** @type {string} */ path) => call("DELETE", path),
    /**
     * Starts a reset job and waits for it, polling as the dashboard does (but every 25 ms). The
     * tests' own iSCSI tools (qemu-io, qemu-img compare) open sessions, which make a PC look up for
     * a few seconds: whenOnline "force" says these are not running PCs.
     * @param {number[]} ids
     */
    async reset(ids, whenOnline = "force") {
      const t0 = process.hrtime.bigint();
      const r = await call("POST", "/api/resets", { machines: ids, whenOnline });
      if (r.status !== 202 || !r.json?.job) throw new Error(`POST /api/resets: HTTP ${r.status} ${JSON.stringify(r.json)}`);
      /** @type {Doc} */
      let job = r.json.job;
      while (job.finishedAt === null) {
        await sleep(25);
        job = (await call("GET", `/api/jobs/${job.id}`)).json?.job;
      }
      // kept: PCs of `ids` a keep mark left alone (the job holds the others).
      return { job, ms: Number(process.hrtime.bigint() - t0) / 1e6, kept: /** @type {number[]} */ (r.json.kept ?? []) };
    },
  };
}

export function listening(/** @type {number} */ port) {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

/** Processes whose command line matches: for counting agents and their helpers. */
export function processes(/** @type {RegExp} */ pattern) {
  const out = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
      if (pattern.test(cmd)) out.push({ pid: Number(pid), cmd });
    } catch {
      /* gone */
    }
  }
  return out;
}
