import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliver } from "@/lib/events/notifier";
import { maskUrl } from "@/lib/db/alert-targets";
import { localTargetRefusal } from "@/lib/events/target-address";

const MIB = 1024 * 1024;
/** One gzip member of 1 MiB of zeros (about 1 KB); members back to back are one valid gzip stream. */
const member = gzipSync(Buffer.alloc(MIB));
/** What the bomb would decode to: 512 MiB. */
const BOMB_MEMBERS = 512;

let server: Server;
let base: string;
let seen: IncomingMessage["headers"][] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      let i = 0;
      const more = () => {
        while (i < BOMB_MEMBERS) {
          i++;
          if (!res.write(member)) return void res.once("drain", more);
        }
        res.end();
      };
      res.on("close", () => (i = BOMB_MEMBERS));
      more();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("a target's answer is never read whole", () => {
  it("a gzip bomb (512 MiB decoded) costs little memory; identity is asked for", async () => {
    seen = [];
    global.gc?.();
    const before = process.memoryUsage();
    const r = await deliver(`${base}/hook`, { headers: { "content-type": "application/json" }, body: "{}" });
    const after = process.memoryUsage();
    expect(r).toEqual({ ok: true, status: 200, error: null });
    // The old code decoded the lot into one buffer: +512 MiB.
    expect((after.arrayBuffers - before.arrayBuffers) / MIB).toBeLessThan(16);
    expect((after.rss - before.rss) / MIB).toBeLessThan(64);
    expect(seen[0]!["accept-encoding"]).toBe("identity");
  });
});

describe("target URLs in Settings: every secret-bearing part masked", () => {
  const token = "abcDEF123_ghiJKL456-mnoPQR789stuVWX012yz";
  it.each([
    ["discord", `https://discord.com/api/webhooks/1234567890/${token}`, "https://discord.com/api/webhooks/1234567890/…"],
    ["discord", `https://discord.com/api/webhooks/1234567890/${token}/slack`, "https://discord.com/api/webhooks/1234567890/…/slack"],
    ["discord", `https://discord.com/api/webhooks/1234567890/${token}/github`, "https://discord.com/api/webhooks/1234567890/…/github"],
    [
      "discord",
      `https://discord.com/api/v10/webhooks/1234567890/${token}?wait=true&thread_id=99`,
      "https://discord.com/api/v10/webhooks/1234567890/…?wait=…&thread_id=…",
    ],
    ["discord", `https://discordapp.com/api/webhooks/1234567890/${token}/`, "https://discordapp.com/api/webhooks/1234567890/…/"],
    ["webhook", "https://hooks.example.lan/cowherd?token=hunter2", "https://hooks.example.lan/cowherd?token=…"],
    ["webhook", "https://hooks.example.lan/cowherd?api_key=k1&sig=s2#frag", "https://hooks.example.lan/cowherd?api_key=…&sig=…#…"],
    ["webhook", "https://user:pass@hooks.example.lan/cowherd", "https://…@hooks.example.lan/cowherd"],
    ["webhook", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX1", "https://hooks.slack.com/services/T00000000/B00000000/…"],
    ["webhook", `http://ha.lan:8123/api/webhook/${token}`, "http://ha.lan:8123/api/webhook/…"],
    ["ntfy", "https://ntfy.sh/your-secret-topic", "https://ntfy.sh/…"],
    ["ntfy", "https://ntfy.lan/cowherd-alerts?auth=QmFzaWM", "https://ntfy.lan/…?auth=…"],
  ] as const)("%s %s", (kind, url, shown) => {
    const masked = maskUrl(kind, url);
    expect(masked).toBe(shown);
    for (const secret of [token, "hunter2", "k1", "s2", "pass", "XXXXXXXXXXXXXXXXXXXXXXXX1", "your-secret-topic", "QmFzaWM"])
      expect(masked).not.toContain(secret);
  });
  it("a plain webhook URL stays readable", () => {
    expect(maskUrl("webhook", "https://hooks.example.lan/cowherd/alerts")).toBe("https://hooks.example.lan/cowherd/alerts");
  });
  it("what is not a URL is not shown at all", () => {
    expect(maskUrl("webhook", "not a url hunter2")).toBe("…");
  });
});

describe("alerts.refuseLocalTargets", () => {
  const lookup = (addrs: string[]) => async () => addrs;
  it.each([
    "http://127.0.0.1:9/x",
    "http://127.8.9.10/x",
    "http://[::1]/x",
    "http://169.254.169.254/latest",
    "http://[fe80::1]/x",
    "http://0.0.0.0/x",
    "http://[::ffff:127.0.0.1]/x",
  ])("refuses %s", async (url) => {
    expect(await localTargetRefusal(url, lookup([]))).toMatch(/loopback or link-local/);
  });
  it("refuses a name that resolves to loopback, allows LAN and public addresses", async () => {
    expect(await localTargetRefusal("http://sneaky.lan/x", lookup(["10.0.0.5", "127.0.0.1"]))).toMatch(/127\.0\.0\.1/);
    expect(await localTargetRefusal("http://ntfy.lan/x", lookup(["192.168.1.20"]))).toBeNull();
    expect(await localTargetRefusal("http://10.0.0.9/x", lookup([]))).toBeNull();
  });
  it("on, nothing is sent to a loopback receiver; off (the default), it is", async () => {
    seen = [];
    const refused = await deliver(`${base}/hook`, { headers: {}, body: "{}" }, { refuseLocal: true });
    expect(refused).toMatchObject({ ok: false, status: null, error: expect.stringMatching(/refused by alerts.refuseLocalTargets/) });
    expect(seen).toHaveLength(0);
    expect((await deliver(`${base}/hook`, { headers: {}, body: "{}" })).ok).toBe(true);
    expect(seen).toHaveLength(1);
  });
});
