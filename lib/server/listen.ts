import type { Server } from "node:http";
import type { Runtime } from "../runtime";

function listenOnce(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.off("listening", onListening);
      reject(e);
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}

/**
 * Binds the port, and only then starts the runtime (first admin, server.start, jobs: see
 * Runtime.start). A kernel without IPv6 cannot bind "::": every IPv4 address is tried instead.
 * Rejects with a message naming the address when the port cannot be bound; nothing was written then.
 */
export async function listenAndStart(server: Server, rt: Pick<Runtime, "start">, port: number, host: string): Promise<void> {
  try {
    await listenOnce(server, port, host);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EAFNOSUPPORT" && host === "::") await listenOnce(server, port, "0.0.0.0").catch((e2: Error) => failed(host, port, e2));
    else failed(host, port, err);
  }
  await rt.start();
}

function failed(host: string, port: number, e: NodeJS.ErrnoException): never {
  const hint = e.code === "EADDRINUSE" ? " (is Cowherd already running? PORT picks another port)" : "";
  throw new Error(`cowherd: cannot listen on ${host}:${port}: ${e.message}${hint}`);
}
