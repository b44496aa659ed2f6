// The admin's shell tool: `npm run cowherd -- <command>`. Works on the same data dir as the server.
import { createInterface } from "node:readline/promises";
import path from "node:path";
import { loadConfig } from "../lib/config/load";
import { openDatabase } from "../lib/db/open";
import { UserRepo } from "../lib/auth/users";
import { AuditRepo } from "../lib/db/audit";

const USAGE = `usage: npm run cowherd -- <command>
  passwd <user>     set a user's password (from COWHERD_NEW_PASSWORD or a prompt) and log out all its sessions
  config-check      validate COWHERD_CONFIG (or the demo config) and print the machines
  status            the grid as text            } from the running server: COWHERD_URL (default
  reset <id>|all    reset PCs (source "cli")    } http://127.0.0.1:3000) and COWHERD_TOKEN (an API token)`;

async function api(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; data: any }> {
  const base = process.env.COWHERD_URL ?? "http://127.0.0.1:3000";
  const token = process.env.COWHERD_TOKEN;
  if (!token) throw new Error("set COWHERD_TOKEN to an API token (Settings → API tokens)");
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => null);
  if (res.status >= 400 && res.status !== 500) throw new Error(data?.error?.message ?? `HTTP ${res.status}`);
  return { status: res.status, data };
}

async function readPassword(): Promise<string> {
  if (process.env.COWHERD_NEW_PASSWORD) return process.env.COWHERD_NEW_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  const pw = await rl.question("New password: ");
  rl.close();
  return pw.trim();
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  const dataDir = path.resolve(process.env.COWHERD_DATA_DIR ?? "data");
  switch (cmd) {
    case "passwd": {
      const user = args[0];
      if (!user) break;
      const pw = await readPassword();
      if (pw.length < 8) {
        console.error("cowherd: password must be at least 8 characters");
        return 2;
      }
      const db = openDatabase(path.join(dataDir, "cowherd.sqlite"));
      const ok = await new UserRepo(db).setPassword(user, pw);
      new AuditRepo(db).record({ actor: process.env.USER ?? "shell", actorKind: "system", address: null, action: "user.password", target: user, outcome: ok ? "ok" : "failed", detail: "from the shell (npm run cowherd -- passwd)" });
      db.close();
      if (!ok) {
        console.error(`cowherd: no user ${user}`);
        return 1;
      }
      console.log(`cowherd: password of ${user} changed; its sessions were logged out`);
      return 0;
    }
    case "status": {
      const { data } = await api("GET", "/api/machines");
      for (const m of data.machines) {
        const pct = m.percent === null ? "   –  " : `${m.percent.toFixed(1).padStart(5)}%`;
        console.log(`${m.name.padEnd(10)} ${m.ip.padEnd(15)} ${pct}  ${m.level.padEnd(8)} ${m.online ? "online " : "offline"}`);
      }
      return 0;
    }
    case "reset": {
      if (!args.length) break;
      const machines = args[0] === "all" ? "all" : args.map((a) => (/^[1-9][0-9]{0,2}$/.test(a) ? Number(a) : NaN));
      if (machines !== "all" && machines.some(Number.isNaN)) break;
      const { data } = await api("POST", "/api/resets", { machines });
      for (const r of data.results) console.log(`${r.name.padEnd(10)} ${r.ok ? "ok" : `FAILED ${r.failedStep ?? ""}: ${r.error}`}`);
      return data.summary.failed ? 1 : 0;
    }
    case "config-check": {
      const cfg = loadConfig();
      for (const m of cfg.machines) console.log(`${m.id}\t${m.name}\t${m.ip}\t${m.dmName}\t${m.cowSizeMiB} MiB\t${m.mode} ${m.chunkSectors}\t${m.cowPath}`);
      console.log(`cowherd: config OK (${cfg.machines.length} machines, ${cfg.host} host)`);
      return 0;
    }
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
