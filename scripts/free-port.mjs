// @ts-check
import { createServer } from "node:net";

/** A loopback port nobody uses right now (the kernel's pick), for a server a test starts. @returns {Promise<number>} */
export const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = /** @type {import("node:net").AddressInfo} */ (s.address()).port;
      s.close(() => resolve(p));
    });
  });
