// The admin's shell tool: `npm run cowherd -- <command>`. Works on the same data dir as the server.
import { createInterface } from "node:readline/promises";
import path from "node:path";
import { loadConfig } from "../lib/config/load";
import { openDatabase } from "../lib/db/open";
import { UserRepo } from "../lib/auth/users";
import { AuditRepo } from "../lib/db/audit";
import { MACHINE_ID_PATTERN, PASSWORD_MIN_LENGTH, RESET_RESULTS, RESET_SOURCES } from "../lib/constants";
import type { ResetJob } from "../lib/reset/jobs";
import { chainScript, DhcpConfigError, dnsmasqConfig, iscDhcpdConfig } from "../lib/boot/dhcp-config";
import type { ResetAnswer } from "../lib/reset/requests";
import type { MachinesView } from "../lib/status/machines-view";
import type { ImagesView } from "../lib/images/image-service";
import { flagValues, takeDisk, takeSwitch } from "../lib/cli/flags";
import { HistoryArgsError, HISTORY_DEFAULT_LAST, lastResets, parseHistoryArgs, type HistoryPage } from "../lib/cli/history-query";
import { historyLines, listEntry, listLines, outcomeWords, percentCell } from "../lib/cli/room-lines";
import { scheduleLines } from "../lib/cli/schedule-lines";
import { knownGroup, PcArgsError, parseResetArgs, pcsOfGroup, takeGroup } from "../lib/cli/pc-args";
import type { WakeJob } from "../lib/wol/wake";
import type { ScheduleRuleView } from "../lib/schedule/view";

const USAGE = `usage: npm run cowherd -- <command>
 on this machine (the data dir COWHERD_DATA_DIR, default ./data, and COWHERD_CONFIG):
  passwd <user>               set a user's password (from COWHERD_NEW_PASSWORD or a prompt) and log out all its sessions
  config-check                validate COWHERD_CONFIG (or the demo config) and print the machines
  dhcp-config [--format dnsmasq|isc|chain] [--server <address[:port]>] [--subnet <a.b.c.d/len>] [--tftp-root <dir>]
                              DHCP for the PCs from the config (MAC -> IP, the iPXE chain to Cowherd's boot
                              script) for your dnsmasq or ISC dhcpd; --format chain prints the TFTP chain script
 from the running server (COWHERD_URL, default http://127.0.0.1:3000, and COWHERD_TOKEN, an API token):
  status                      the grid as text, with unreachable storage hosts and resets under way
  list|ls [--group <name>] [--json]
                              one line a PC: id, name, IP, state, usage, online, its marks (kept, reset at next boot);
                              --group: only that PC group's PCs
  history [--last <n>] [--machine <id|name>] [--result ${RESET_RESULTS.join("|")}]
          [--source ${RESET_SOURCES.join("|")}] [--json]
                              the last n resets (default ${HISTORY_DEFAULT_LAST}), newest first, filtered as the API filters
  reset [--next-boot|--force] [--disk system|game] <id|name>...|all|--group <name>
                              reset PCs (--group: every PC of that PC group), wait for them
                              (--disk: that disk only of PCs with a game disk; absent: both)
                              (a PC that is up is left alone unless --next-boot: reset it when it next boots,
                              or --force: reset it now, crashing whatever runs on it; a kept PC is left alone)
  reset --kept [--force] <id|name>
                              reset one kept PC anyway: its kept changes are thrown away, the mark stays
  keep <id|name> [--reason <text>]
                              keep a PC's changes: bulk, event, scheduled and next-boot resets leave it alone
                              (a reset waiting for its next boot is cancelled)
  unkeep <id|name>            remove the mark: the PC is reset with the others again
  wake <id|name>...|all|--group <name>
                              send Wake-on-LAN to PCs (the wol config's batches), wait until every packet is sent
  schedule                    the scheduled resets and clean-up (config schedule): each rule, its next and last run
  images                      master image versions per storage host: current, draft, who sits where, recent steps
  image-update <id|name> [--comment <text>] [--disk game]
                              update mode on that PC: a copy of the current version, exported to it only (waits for the copy)
  image-publish [--comment <text>] [--host <name>] [--group <name>]
                              the draft becomes the current version; PCs move to it at their next reset
  image-discard [--host <name>] [--group <name>]      delete the draft; the update PC boots its own disk again
  image-current <n> [--host <name>] [--group <name>]  make version n current again (rollback); PCs move at their next reset
  image-delete <n> [--host <name>] [--group <name>]   delete version n (refused for the current one or one a PC sits on)
                              (--group: which PC group's versions, needed once the config has several;
                               --disk game: the group's game disk's versions, on every image command)`;

class CliError extends Error {}

const base = () => (process.env.COWHERD_URL ?? "http://127.0.0.1:3000").replace(/\/$/, "");

async function api<T>(method: "GET" | "POST" | "PUT" | "DELETE", urlPath: string, body?: unknown): Promise<T> {
  const token = process.env.COWHERD_TOKEN;
  if (!token) throw new CliError("set COWHERD_TOKEN to an API token (Settings → API tokens in the dashboard)");
  let res: Response;
  try {
    res = await fetch(base() + urlPath, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    const why = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(
      `cannot reach Cowherd at ${base()} (${why?.code ?? why?.message ?? (e as Error).message}): is the server running? Set COWHERD_URL if it runs elsewhere`,
    );
  }
  const data = (await res.json().catch(() => null)) as (T & { error?: { message: string } }) | null;
  if (!res.ok) throw new CliError(data?.error?.message ?? `${base()}${urlPath} answered HTTP ${res.status}`);
  return data as T;
}

async function readPassword(): Promise<string> {
  if (process.env.COWHERD_NEW_PASSWORD) return process.env.COWHERD_NEW_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  const pw = await rl.question("New password: ");
  rl.close();
  return pw.trim();
}

/** Ids, names (retro-03) or "all", checked against the server's list: a typo names itself. */
function pick(args: string[], machines: MachinesView["machines"]): number[] | "all" {
  if (args.length === 1 && args[0] === "all") return "all";
  return args.map((a) => {
    const m = MACHINE_ID_PATTERN.test(a) ? machines.find((x) => x.id === Number(a)) : machines.find((x) => x.name === a);
    if (!m) throw new CliError(`no PC ${JSON.stringify(a)}; known: ${machines.map((x) => `${x.id} ${x.name}`).join(", ")}`);
    return m.id;
  });
}

async function waitFor(job: ResetJob): Promise<ResetJob> {
  let shown = "";
  for (;;) {
    const line = `${job.summary.ok + job.summary.failed} of ${job.summary.requested - job.summary.refused} done`;
    if (line !== shown && process.stderr.isTTY) process.stderr.write(`\rcowherd: resetting… ${line}  `);
    shown = line;
    if (job.finishedAt !== null) break;
    await new Promise((r) => setTimeout(r, 300));
    job = (await api<{ job: ResetJob }>("GET", `/api/jobs/${job.id}`)).job;
  }
  if (process.stderr.isTTY) process.stderr.write("\n");
  return job;
}

function printImages(v: ImagesView): void {
  const mib = (b: number) => `${Math.round(b / 1048576)} MiB`;
  const groups = new Set(v.hosts.map((h) => h.group)).size > 1;
  for (const h of v.hosts) {
    console.log(
      `storage host ${h.host}${groups ? `, group ${h.group}` : ""}${h.disk === "game" ? `, ${groups ? "its " : ""}game disk` : ""}${h.error ? `: ${h.error}` : ""}${h.current !== null ? ` (current v${h.current}, keeps ${h.keep})` : ""}`,
    );
    for (const x of h.versions) {
      const on = x.machines.length ? `PCs ${x.machines.join(",")}` : "no PC";
      console.log(
        `  ${x.current ? "*" : " "} v${String(x.n).padEnd(4)} ${new Date(x.createdAt).toISOString().slice(0, 16)}  ${mib(x.sizeBytes).padStart(9)}  ${x.attached ? "attached" : "        "}  ${on.padEnd(14)} ${x.comment ?? ""}${x.author ? ` (${x.author})` : ""}`,
      );
    }
    const d = h.draft;
    if (d) {
      const progress = d.state === "copying" ? ` ${Math.floor((100 * d.copiedBytes) / Math.max(1, d.totalBytes))}%` : "";
      console.log(
        `  draft v${d.n} on ${d.machineName}: ${d.state}${progress}${d.method ? ` (${d.method})` : ""}${d.online ? ", the PC is connected" : ""}${d.comment ? ` — ${d.comment}` : ""}`,
      );
    }
    if (h.busy) console.log(`  running: ${h.busy.action}${h.busy.step ? ` (${h.busy.step})` : ""}`);
  }
  if (v.log.length) console.log("recent steps:");
  for (const l of v.log.slice(0, 10)) {
    console.log(
      `  ${new Date(l.startedAt).toISOString().slice(0, 16)} ${l.host}${l.disk === "game" ? " game disk" : ""} ${l.action}${l.n ? ` v${l.n}` : ""} by ${l.actor ?? "?"}: ${l.result}${l.error ? ` — ${l.error}` : ""}${l.comment ? ` "${l.comment}"` : ""}`,
    );
  }
}

/** Waits for an image step started in the background (an update's copy), showing its progress. */
async function waitForImageStep(logId: number): Promise<ImagesView["log"][number]> {
  for (;;) {
    const v = await api<ImagesView>("GET", "/api/images");
    const row = v.log.find((l) => l.id === logId);
    const busy = v.hosts.find((h) => h.busy?.logId === logId)?.busy;
    if (busy?.step && process.stderr.isTTY) process.stderr.write(`\rcowherd: ${busy.step}   `);
    if (row && row.result !== "running") {
      if (process.stderr.isTTY) process.stderr.write("\n");
      return row;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  const dataDir = path.resolve(process.env.COWHERD_DATA_DIR ?? "data");
  switch (cmd) {
    case "passwd": {
      const user = args[0];
      if (!user) break;
      const pw = await readPassword();
      if (pw.length < PASSWORD_MIN_LENGTH) throw new CliError(`password must be at least ${PASSWORD_MIN_LENGTH} characters`);
      const db = openDatabase(path.join(dataDir, "cowherd.sqlite"));
      const ok = await new UserRepo(db).setPassword(user, pw);
      new AuditRepo(db).record({
        actor: process.env.USER ?? "shell",
        actorKind: "system",
        address: null,
        action: "user.password",
        target: user,
        outcome: ok ? "ok" : "failed",
        detail: "from the shell (npm run cowherd -- passwd)",
      });
      db.close();
      if (!ok) throw new CliError(`no user ${user}`);
      console.log(`cowherd: password of ${user} changed; its sessions were logged out`);
      return 0;
    }
    case "status": {
      const view = await api<MachinesView>("GET", "/api/machines");
      for (const h of view.hosts)
        if (h.failing) console.log(`storage host ${h.name} UNREACHABLE since ${new Date(h.failing.since).toISOString()}: ${h.failing.message}`);
      console.log(`${"id".padStart(3)}  ${"name".padEnd(10)} ${"ip".padEnd(15)} ${"used".padStart(6)}  ${"state".padEnd(8)} session`);
      for (const m of view.machines) {
        const busy = m.reset ? `  (${m.reset.state === "running" ? `resetting: ${m.reset.step}` : "queued"})` : "";
        console.log(
          `${String(m.id).padStart(3)}  ${m.name.padEnd(10)} ${m.ip.padEnd(15)} ${percentCell(m.percent)}  ${m.level.padEnd(8)} ${m.online ? "online " : "offline"}${busy}`,
        );
      }
      return 0;
    }
    case "list":
    case "ls": {
      const [json, flags] = takeSwitch(args, "--json");
      const { group, rest } = takeGroup(flags);
      if (rest === null || rest.length) break;
      const view = await api<MachinesView>("GET", "/api/machines");
      const entries = (group === undefined ? view.machines : pcsOfGroup(view, group)).map(listEntry);
      console.log(json ? JSON.stringify(entries, null, 2) : listLines(entries).join("\n"));
      return 0;
    }
    case "history": {
      const [json, rest] = takeSwitch(args, "--json");
      let q: ReturnType<typeof parseHistoryArgs>;
      try {
        q = parseHistoryArgs(rest);
      } catch (e) {
        if (e instanceof HistoryArgsError) throw new CliError(e.message);
        throw e;
      }
      if (!q) break;
      const machineId = q.machine === undefined ? undefined : (pick([q.machine], (await api<MachinesView>("GET", "/api/machines")).machines) as number[])[0];
      const { resets, total } = await lastResets((p) => api<HistoryPage>("GET", p), { ...q, machineId });
      if (json) console.log(JSON.stringify(resets, null, 2));
      else if (!resets.length) console.log("no resets match");
      else {
        console.log(historyLines(resets).join("\n"));
        if (total > resets.length) console.log(`(the newest ${resets.length} of ${total}: --last <n> for more)`);
      }
      return 0;
    }
    case "reset": {
      // --disk system|game: one disk of each PC (absent: every disk it has).
      const d = takeDisk(args, ["system", "game"] as const);
      if (!d) break;
      const disk = d.disk ? { disk: d.disk } : {};
      const a = parseResetArgs(d.rest);
      if (!a) break;
      const { confirmKept, whenOnline, group } = a;
      const view = await api<MachinesView>("GET", "/api/machines");
      // A group's PCs are chosen by the server (the same rules as a list of them); a typo names the groups.
      if (group !== undefined) knownGroup(view, group);
      const machines = group === undefined ? pick(a.pcs, view.machines) : [];
      const r: ResetAnswer = confirmKept
        ? {
            nextBoot: [],
            online: [],
            kept: [],
            ...(await api<Pick<ResetAnswer, "job">>("POST", `/api/machines/${machines[0]}/reset`, { whenOnline, confirmKept, ...disk })),
          }
        : await api<ResetAnswer>("POST", "/api/resets", group === undefined ? { machines, whenOnline, ...disk } : { group, whenOnline, ...disk });
      const name = (id: number) => view.machines.find((m) => m.id === id)?.name ?? String(id);
      const done = r.job ? await waitFor(r.job) : null;
      for (const m of done?.machines ?? []) {
        const how = m.state === "refused" ? `REFUSED: ${m.error}` : outcomeWords(m);
        console.log(`${m.name.padEnd(10)} ${how}`);
      }
      for (const id of r.nextBoot) console.log(`${name(id).padEnd(10)} at its next boot (it is up now)`);
      for (const id of r.online) console.log(`${name(id).padEnd(10)} LEFT ALONE: it is up (--next-boot resets it when it next boots, --force now)`);
      for (const id of r.kept) console.log(`${name(id).padEnd(10)} LEFT ALONE: it is kept ('unkeep' it, or reset it alone with --kept)`);
      return done?.summary.failed || done?.summary.refused || r.online.length || r.kept.length ? 1 : 0;
    }
    case "wake": {
      const { group, rest } = takeGroup(args);
      if (rest === null || rest.some((x) => x.startsWith("--")) || (group === undefined) === (rest.length === 0)) {
        if (group !== undefined && rest?.length) throw new CliError(`give PCs or --group ${group}, not both`);
        break;
      }
      const view = await api<MachinesView>("GET", "/api/machines");
      if (group !== undefined) knownGroup(view, group);
      let { job } = await api<{ job: WakeJob }>("POST", "/api/wake", group === undefined ? { machines: pick(rest, view.machines) } : { group });
      while (job.finishedAt === null) {
        await new Promise((r) => setTimeout(r, 300));
        job = (await api<{ job: WakeJob }>("GET", `/api/wake/${job.id}`)).job;
      }
      const words = {
        sent: "packet sent",
        "no-mac": "NOT WOKEN: no MAC in the config",
        busy: "NOT WOKEN: already being woken",
        failed: "FAILED",
        queued: "queued",
      };
      for (const m of job.machines) console.log(`${m.name.padEnd(10)} ${words[m.state]}${m.error ? `: ${m.error}` : ""}`);
      return job.machines.every((m) => m.state === "sent") ? 0 : 1;
    }
    case "keep":
    case "unkeep": {
      const [pc, ...rest] = args;
      const opts = flagValues(rest, cmd === "keep" ? ["--reason"] : []);
      if (!pc || pc.startsWith("--") || pc === "all" || !opts) break;
      const view = await api<MachinesView>("GET", "/api/machines");
      const [id] = pick([pc], view.machines) as number[];
      const name = view.machines.find((m) => m.id === id)!.name;
      if (cmd === "unkeep") {
        await api("DELETE", `/api/machines/${id}/keep`);
        console.log(`cowherd: ${name} is no longer kept: it is reset with the others again`);
        return 0;
      }
      const r = await api<{ cancelledPending: boolean }>("PUT", `/api/machines/${id}/keep`, opts["--reason"] ? { reason: opts["--reason"] } : {});
      console.log(
        `cowherd: ${name} is kept: bulk, event, scheduled and next-boot resets leave it alone${r.cancelledPending ? "; its reset at next boot is cancelled" : ""}`,
      );
      return 0;
    }
    case "schedule": {
      if (args.length) break;
      const { rules } = await api<{ rules: ScheduleRuleView[] }>("GET", "/api/schedule");
      for (const line of scheduleLines(rules, Date.now())) console.log(line);
      return 0;
    }
    case "images": {
      if (args.length) break;
      printImages(await api<ImagesView>("GET", "/api/images"));
      return 0;
    }
    case "image-update": {
      const [pc, ...rest] = args;
      const opts = flagValues(rest, ["--comment", "--disk"]);
      if (!pc || pc.startsWith("--") || !opts || (opts["--disk"] !== undefined && opts["--disk"] !== "game")) break;
      const view = await api<MachinesView>("GET", "/api/machines");
      const [id] = pick([pc], view.machines) as number[];
      const r = await api<{ logId: number }>("POST", "/api/images/update", {
        machine: id,
        ...(opts["--comment"] ? { comment: opts["--comment"] } : {}),
        ...(opts["--disk"] ? { disk: "game" } : {}),
      });
      const row = await waitForImageStep(r.logId);
      if (row.result !== "ok") throw new CliError(`update ${row.result}: ${row.error ?? "no reason given"}`);
      const game = opts["--disk"] === "game";
      const draft = (await api<ImagesView>("GET", "/api/images")).hosts
        .filter((h) => h.disk === (game ? "game" : "system"))
        .flatMap((h) => (h.draft ? [h.draft] : []))
        .find((d) => d.machine === id);
      console.log(
        game
          ? `cowherd: game disk v${row.n} is ready on ${draft?.machineName ?? pc} (${draft?.method ?? "copied"}): boot it (its own system disk, this draft as its game disk), install the games, shut it down, then 'image-publish --disk game'`
          : `cowherd: v${row.n} is ready on ${draft?.machineName ?? pc} (${draft?.method ?? "copied"}): boot it, install the updates, shut it down, then 'image-publish'`,
      );
      return 0;
    }
    case "image-publish":
    case "image-discard":
    case "image-current":
    case "image-delete": {
      const needsN = cmd === "image-current" || cmd === "image-delete";
      const n = needsN ? args[0] : undefined;
      if (needsN && (!n || !/^[1-9][0-9]{0,5}$/.test(n))) break;
      const opts = flagValues(
        needsN ? args.slice(1) : args,
        cmd === "image-publish" ? ["--comment", "--host", "--group", "--disk"] : ["--host", "--group", "--disk"],
      );
      if (!opts || (opts["--disk"] !== undefined && opts["--disk"] !== "game")) break;
      const host = opts["--host"];
      const group = opts["--group"];
      const hostBody = { ...(host ? { host } : {}), ...(group ? { group } : {}), ...(opts["--disk"] ? { disk: "game" } : {}) };
      if (cmd === "image-publish") await api("POST", "/api/images/publish", { ...hostBody, ...(opts["--comment"] ? { comment: opts["--comment"] } : {}) });
      else if (cmd === "image-discard") await api("POST", "/api/images/discard", hostBody);
      else if (cmd === "image-current") await api("POST", "/api/images/current", { ...hostBody, version: Number(n) });
      else {
        const q = new URLSearchParams(hostBody).toString();
        await api("DELETE", `/api/images/versions/${n}${q ? `?${q}` : ""}`);
      }
      printImages(await api<ImagesView>("GET", "/api/images"));
      return 0;
    }
    case "dhcp-config": {
      const opts = flagValues(args, ["--format", "--server", "--subnet", "--tftp-root"]);
      if (!opts) break;
      const cfg = loadConfig();
      const server = opts["--server"] ?? cfg.ipxe.server;
      if (!server) throw new CliError("say where the PCs reach Cowherd: --server <address[:port]> (e.g. 10.13.0.1:3000), or ipxe.server in the config");
      const format = opts["--format"] ?? "dnsmasq";
      try {
        const dhcp = { server, subnet: opts["--subnet"], tftpRoot: opts["--tftp-root"] };
        if (format === "dnsmasq") process.stdout.write(dnsmasqConfig(cfg, dhcp));
        else if (format === "isc") process.stdout.write(iscDhcpdConfig(cfg, dhcp));
        else if (format === "chain") process.stdout.write(chainScript(cfg, dhcp));
        else throw new CliError(`--format ${format}: expected dnsmasq, isc or chain`);
      } catch (e) {
        if (e instanceof DhcpConfigError) throw new CliError(e.message);
        throw e;
      }
      return 0;
    }
    case "config-check": {
      const cfg = loadConfig();
      for (const m of cfg.machines)
        console.log(`${m.id}\t${m.name}\t${m.ip}\t${m.dmName}\t${m.cowSizeMiB} MiB\t${m.mode} ${m.chunkSectors}\t${m.cowPath}\t${m.host}`);
      console.log(
        `cowherd: config OK (${cfg.machines.length} machines on ${cfg.hosts.map((h) => h.name).join(", ")}, ${cfg.host === "sim" ? "simulated" : "real"} storage)`,
      );
      return 0;
    }
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    default:
      // A word that is no command says so (a typo, another tool's name), then what there is; a
      // command with arguments it does not take gets the usage alone.
      if (cmd !== undefined) console.error(`cowherd: unknown command: ${cmd}`);
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    // Our own errors and config errors are for people: their message, no stack trace.
    const ours = e instanceof CliError || e instanceof PcArgsError;
    const known = ours || (e instanceof Error && e.name === "ConfigError");
    console.error(known ? `cowherd: ${e.message}` : e);
    process.exit(ours ? 1 : 3);
  },
);
