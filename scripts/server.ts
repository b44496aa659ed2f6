import path from "node:path";
import next from "next";
import { ConfigError, createHttpServer, createRuntime, listenAndStart, setRuntime } from "@cowherd/core";
import { installCrashPolicy } from "../lib/server/crash-policy";
import { withoutNextProgress } from "../lib/server/next-progress";

const dev = process.argv.includes("--dev");
const host = process.env.HOST ?? "::";
const port = Number(process.env.PORT ?? 3000);

async function main() {
  installCrashPolicy(); // unhandled rejections: logged, still serving; uncaught exceptions: exit (see the module)
  if (!/^\d{1,5}$/.test(process.env.PORT ?? "3000") || port < 1 || port > 65535)
    throw new ConfigError(`PORT must be a port number from 1 to 65535, not ${JSON.stringify(process.env.PORT)}`);
  // The runtime's start (first admin and its one-time password, server.start in the audit log, jobs)
  // waits until the port is bound: a start that fails on a busy port leaves no trace.
  const pending = createRuntime(process.env, console.log, { deferStart: true });
  setRuntime(pending); // Next's routes get this same runtime through @cowherd/core
  const rt = await pending;
  // Telemetry off unless the user decided (npm start sets it too; this covers `npm run dev`).
  process.env.NEXT_TELEMETRY_DISABLED ??= "1";
  const app = next({ dev, dir: path.resolve("."), port });
  await withoutNextProgress(dev || process.env.COWHERD_VERBOSE === "1", () => app.prepare());
  const server = createHttpServer(rt, app.getRequestHandler(), dev);
  server.keepAliveTimeout = 65_000;
  await listenAndStart(server, rt, port, host);
  server.on("error", (e) => console.error("cowherd: server error:", e));
  const shown = host === "::" || host === "0.0.0.0" ? "localhost" : host.includes(":") ? `[${host}]` : host; // an IPv6 literal is bracketed in a URL
  console.log(
    `cowherd: the dashboard is on http://${shown}:${port} — ${rt.config.lanName}, ${rt.config.machines.length} PCs, ${rt.config.host === "sim" ? "simulated" : "real"} storage on ${rt.config.hosts.map((h) => h.name).join(", ")}`,
  );
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`cowherd: ${signal}, shutting down`);
    server.close();
    server.closeAllConnections();
    rt.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((e) => {
  // Listen errors (lib/server/listen.ts) already start with "cowherd:".
  console.error(e instanceof ConfigError ? `cowherd: ${e.message}` : e instanceof Error && e.message.startsWith("cowherd:") ? e.message : e);
  process.exit(1);
});
