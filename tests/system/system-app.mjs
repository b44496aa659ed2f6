// @ts-check
// The web app's real host path: the built server as its own unprivileged user, real sudo with the
// project's sudoers file, the long-lived agent, and a second storage host reached over ssh.
import { check } from "./checks.mjs";
import { apiSession, compareWithMaster, helper, processes, qemuIo, sleep, SSH_PORT, startApp, startSshd, stopSshd, writeConfig } from "./guest-lib.mjs";
import { PCS } from "./system-helper.mjs";

/** @typedef {import("./guest-lib.mjs").Row} Row */

/** The agents themselves (node running the helper), not their sudo or shell parents. */
const AGENT = /^\/usr\/bin\/node \S*cowherd-helper serve$/;

/**
 * @template T
 * @param {string} what
 * @param {() => Promise<T>} cond
 * @returns {Promise<NonNullable<T>>}
 */
const until = async (what, cond, ms = 60_000) => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
};

export async function appChecks() {
  // PC 3 lives on a second storage host, "remote", reached over ssh (the same kernel, its own agent).
  writeConfig(
    PCS.map((m) => (m.id === 3 ? { ...m, host: "remote" } : m)),
    {
      hosts: [
        { name: "local", transport: "local" },
        {
          name: "remote",
          transport: "ssh",
          ssh: {
            host: "127.0.0.1",
            port: SSH_PORT,
            user: "cowherd",
            identityFile: "/etc/cowherd/ssh/id_ed25519",
            knownHostsFile: "/etc/cowherd/ssh/known_hosts",
          },
        },
      ],
      statusCacheMs: 300,
    },
  );
  await startSshd();
  const app = await startApp();
  check("the built server starts as the unprivileged user cowherd with the real host", /real storage on local, remote/.test(app.log()), app.log().slice(-600));
  const api = await apiSession(app.url);
  const view = await until("both storage hosts up", async () => {
    const v = (await api.get("/api/machines")).json;
    return v?.hosts?.every((/** @type {Row} */ h) => h.health.state === "up" && !h.failing) ? v : null;
  });
  check(
    "both storage hosts are up: local through sudo, remote through ssh",
    view.hosts.map((/** @type {Row} */ h) => h.name).join() === "local,remote",
    view.hosts,
  );
  const agents = processes(AGENT);
  check("one agent per storage host runs as root (sudo -n locally, sudo -n under sshd's forced command remotely)", agents.length === 2, agents);

  // The grid shows the kernel's own numbers, per host.
  const kernel = Object.fromEntries((helper("status").json?.machines ?? []).map((/** @type {Row} */ m) => [m.id, m]));
  const same = (/** @type {Row} */ v) =>
    v.machines.every((/** @type {Row} */ m) => m.usedSectors === kernel[m.id].usedSectors && m.totalSectors === kernel[m.id].totalSectors);
  check(
    "the grid shows the kernel's numbers for every PC, each on its host",
    same(view) && view.machines?.find((m) => m.id === 3)?.host === "remote",
    view.machines,
  );

  // Reads are messages: status reads start no helper process (no sudo, no Node start as root).
  const pids = () =>
    processes(/cowherd-helper/)
      .map((p) => p.pid)
      .sort()
      .join();
  const before = pids();
  const seen = new Set([before]);
  for (let i = 0; i < 8; i++) {
    await api.get("/api/machines");
    seen.add(pids());
    await sleep(350);
  }
  check("status reads are agent messages: the same helper processes throughout 8 reads, no new ones", seen.size === 1 && before.length > 0, {
    before,
    seen: [...seen],
  });

  // Writes show up; a reset of a PC on each host through the API changes the kernel's numbers and
  // leaves each LUN identical to the master.
  qemuIo("retrocow1", "write -P 0x31 8M 2M");
  qemuIo("retrocow3", "write -P 0x33 8M 2M");
  const dirty = await until("usage to rise on the grid", async () => {
    const v = (await api.get("/api/machines")).json;
    return v?.machines?.find((m) => m.id === 1)?.usedSectors > 4096 && v?.machines?.find((m) => m.id === 3)?.usedSectors > 4096 ? v : null;
  });
  check("writes over iSCSI show on the grid for both hosts", !!dirty);
  const { job } = await api.reset([1, 3]);
  check("a reset job over both hosts: both PCs fresh", job.summary.ok === 2 && (job.machines ?? []).every((m) => m.ok && m.outcome === "fresh"), job);
  check("pc1 (local) identical to the master after the API reset", compareWithMaster("retrocow1").identical);
  check("pc3 (remote, over ssh) identical to the master after the API reset", compareWithMaster("retrocow3").identical);
  const fresh = await until("fresh numbers on the grid", async () => {
    const v = (await api.get("/api/machines")).json;
    return [1, 3].every((id) => v?.machines?.find((m) => m.id === id)?.usedSectors === 16) ? v : null;
  });
  check("the grid shows the kernel's fresh numbers after the reset", !!fresh);
  const hist = ((await api.get(`/api/history?pageSize=5`)).json?.resets ?? []).filter((/** @type {Row} */ r) => r.batchId === job.id);
  check(
    "history has a completed row per PC, with the job's id",
    hist.length === 2 && hist.every((/** @type {Row} */ r) => r.result === "ok" && r.endedAt !== null),
    hist,
  );

  // A storage host that goes away: its PCs turn unknown with the reason; the other host goes on.
  await stopSshd();
  const outage = await until("remote marked unreachable", async () => {
    const v = (await api.get("/api/machines")).json;
    return v?.hosts?.find((/** @type {Row} */ h) => h.name === "remote")?.failing ? v : null;
  });
  const remote = outage.hosts.find((/** @type {Row} */ h) => h.name === "remote");
  check(
    "remote down: the grid says unreachable since when and why, with the age of its last data",
    remote.failing.since > 0 && remote.failing.message.length > 0 && remote.lastReadAt > 0,
    remote,
  );
  check(
    "remote down: its PC is unknown, the local PCs are not",
    outage.machines?.find((m) => m.id === 3)?.level === "unknown" &&
      (outage.machines ?? []).filter((m) => m.host === "local").every((m) => m.level === "normal"),
    outage.machines,
  );
  const during = await api.reset([1, 3]);
  const r1 = (during.job.machines ?? []).find((/** @type {Row} */ m) => m.id === 1);
  const r3 = (during.job.machines ?? []).find((/** @type {Row} */ m) => m.id === 3);
  check(
    "remote down: a reset job still resets the local PC; the remote one fails in the job (not an HTTP error)",
    r1?.ok && !r3?.ok && /remote/.test(r3?.error),
    during.job,
  );
  await startSshd();
  const recovered = await until(
    "remote back up",
    async () => {
      const v = (await api.get("/api/machines")).json;
      return v?.hosts?.every((/** @type {Row} */ h) => h.health.state === "up" && !h.failing) ? v : null;
    },
    90_000,
  ).catch(() => null);
  check(
    "remote back: the agent was restarted by itself (backoff) and answers again",
    !!recovered && recovered.machines?.find((m) => m.id === 3)?.level === "normal",
    recovered?.hosts,
  );
  const back = await api.reset([3]);
  check("remote back: a reset through it works again", back.job.summary.ok === 1 && compareWithMaster("retrocow3").identical, back.job);

  // Stopping the app ends the agents (their stdin closes), with nothing left behind.
  await app.stop();
  await until("agents gone", async () => processes(AGENT).length === 0, 30_000).catch(() => false);
  check("stopping the app ends both agents and their workers", processes(/cowherd-helper|perl -e/).length === 0, processes(/cowherd-helper|perl -e/));
}
