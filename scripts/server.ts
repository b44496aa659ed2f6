import path from "node:path";
import next from "next";
import { ConfigError, createHttpServer, runtime } from "@cowherd/core";

const dev = process.argv.includes("--dev");
const host = process.env.HOST ?? "::";
const port = Number(process.env.PORT ?? 3000);

async function main() {
  if (!/^\d{1,5}$/.test(process.env.PORT ?? "3000") || port < 1 || port > 65535) throw new ConfigError(`PORT must be a port number from 1 to 65535, not ${JSON.stringify(process.env.PORT)}`);
  const rt = await runtime();
  const app = next({ dev, dir: path.resolve("."), port });
  await app.prepare();
  const server = createHttpServer(rt, app.getRequestHandler(), dev);
  server.keepAliveTimeout = 65_000;
  server.on("error", (e: NodeJS.ErrnoException) => {
    // A kernel without IPv6 cannot bind "::": fall back to every IPv4 address.
    if (e.code === "EAFNOSUPPORT" && host === "::") server.listen(port, "0.0.0.0");
    else {
      console.error(`cowherd: cannot listen on ${host}:${port}: ${e.message}`);
      process.exit(1);
    }
  });
  server.listen(port, host, () => {
    const shown = host === "::" || host === "0.0.0.0" ? "localhost" : host;
    console.log(`cowherd: ${rt.config.lanName} (${rt.config.machines.length} PCs, ${rt.config.host === "sim" ? "simulated" : "real"} storage on ${rt.config.hosts.map((h) => h.name).join(", ")}) on http://${shown}:${port}`);
  });
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
  console.error(e instanceof ConfigError ? `cowherd: ${e.message}` : e);
  process.exit(1);
});
