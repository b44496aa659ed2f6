import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Notifier, requestFor, type Alert } from "@/lib/events/notifier";
import { AlertTargetRepo } from "@/lib/db/alert-targets";
import { EventRepo, type EventRow } from "@/lib/db/events";
import { openDatabase } from "@/lib/db/open";

/** A local receiver on loopback: what webhooks, ntfy and Discord would get. */
interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}
let server: Server;
let url: string;
let received: Received[] = [];
let answer = 200;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ path: req.url!, headers: req.headers, body });
      res.writeHead(answer).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let targets: AlertTargetRepo;
let events: EventRepo;
let now = 1_000_000;
const make = (perMinute = 12) =>
  new Notifier(targets, { lanName: "RetroLAN", perMinute, link: (a) => (a.machine ? `http://cowherd.lan/machines/${a.machine.id}` : null) }, () => now);
beforeEach(() => {
  const db = openDatabase(":memory:");
  targets = new AlertTargetRepo(db);
  events = new EventRepo(db);
  received = [];
  answer = 200;
  now = 1_000_000;
});
const event = (kind: EventRow["kind"], severity: EventRow["severity"], id = 7): EventRow =>
  events.insert({
    at: now,
    kind,
    severity,
    machineId: id,
    machineName: `retro-${String(id).padStart(2, "0")}`,
    host: "local",
    message: `retro-${id} died at 21:14, last rate 40 MiB/min`,
  });

describe("notification formats", () => {
  const alert: Alert = {
    id: 1,
    at: 0,
    kind: "snapshot-invalid",
    severity: "danger",
    title: "RetroLAN: Snapshot Invalid — retro-07",
    message: "retro-07 died",
    machine: { id: 7, name: "retro-07" },
    host: "local",
  };
  it("ntfy: the message as body, title, priority and tags as headers, the token as Bearer", () => {
    const r = requestFor("ntfy", alert, { secret: "tk_x", link: "http://c/machines/7" });
    expect(r.body).toBe("retro-07 died");
    expect(r.headers).toMatchObject({
      title: "RetroLAN: Snapshot Invalid - retro-07",
      priority: "5",
      tags: "rotating_light",
      click: "http://c/machines/7",
      authorization: "Bearer tk_x",
    });
  });
  it("Discord: an embed with the severity's colour, no mentions", () => {
    const body = JSON.parse(requestFor("discord", alert, { secret: null, link: null }).body);
    expect(body).toMatchObject({
      username: "Cowherd",
      embeds: [{ title: alert.title, description: "retro-07 died", color: 0xdc2626 }],
      allowed_mentions: { parse: [] },
    });
  });
  it("webhook: the whole alert as JSON", () => {
    const body = JSON.parse(requestFor("webhook", alert, { secret: null, link: "http://c/machines/7" }).body);
    expect(body).toMatchObject({
      source: "cowherd",
      kind: "snapshot-invalid",
      severity: "danger",
      machine: { id: 7, name: "retro-07" },
      link: "http://c/machines/7",
      at: "1970-01-01T00:00:00.000Z",
    });
  });
});

describe("notifier against a local receiver", () => {
  it("sends each event to the targets whose minimum severity it reaches, in their own format", async () => {
    targets.create({ name: "hook", kind: "webhook", url: `${url}/hook`, secret: "s3cret", minSeverity: "warn", createdBy: "admin" }, now);
    targets.create({ name: "phone", kind: "ntfy", url: `${url}/cowherd`, secret: null, minSeverity: "danger", createdBy: "admin" }, now);
    targets.create({ name: "discord", kind: "discord", url: `${url}/discord`, secret: null, minSeverity: "info", createdBy: "admin" }, now);
    const n = make();
    n.enqueue(event("snapshot-invalid", "danger"));
    n.enqueue(event("usage-warn", "warn", 3));
    n.enqueue(event("online", "info", 4));
    await n.pump();
    const by = (p: string) => received.filter((r) => r.path === p);
    expect(by("/hook").map((r) => JSON.parse(r.body).kind)).toEqual(["snapshot-invalid", "usage-warn"]);
    expect(by("/hook")[0]!.headers.authorization).toBe("Bearer s3cret");
    expect(by("/cowherd").map((r) => r.body)).toEqual(["retro-7 died at 21:14, last rate 40 MiB/min"]);
    expect(by("/cowherd")[0]!.headers.priority).toBe("5");
    expect(by("/discord")).toHaveLength(3);
    expect(targets.list().every((t) => t.lastSentAt === now && t.lastError === null)).toBe(true);
    expect(targets.list()[0]).not.toHaveProperty("secret");
  });

  it("rate-limited: perMinute messages a minute, the last one summing up what was held back", async () => {
    targets.create({ name: "hook", kind: "webhook", url: `${url}/hook`, secret: null, minSeverity: "info", createdBy: "admin" }, now);
    const n = make(3);
    for (let id = 1; id <= 10; id++) n.enqueue(event("online", "info", id));
    await n.pump();
    expect(received).toHaveLength(3);
    const last = JSON.parse(received[2]!.body);
    expect(last).toMatchObject({ kind: "summary", title: "RetroLAN: 8 more events" });
    expect(last.message).toMatch(/^8 × Came online \(retro-03, retro-04/);
    // nothing more this minute
    n.enqueue(event("snapshot-invalid", "danger", 9));
    await n.pump();
    expect(received).toHaveLength(3);
    now += 61_000;
    await n.pump();
    expect(received).toHaveLength(4);
    expect(n.pending()).toBe(0);
  });

  it("a target that fails keeps its last error, and the event is tried again (three times at most)", async () => {
    const t = targets.create({ name: "hook", kind: "webhook", url: `${url}/hook`, secret: null, minSeverity: "info", createdBy: "admin" }, now);
    answer = 500;
    const n = make();
    n.enqueue(event("reset-failed", "danger"));
    await n.pump();
    expect(targets.get(t.id)).toMatchObject({ lastError: "HTTP 500", lastErrorAt: now });
    expect(n.pending()).toBe(1);
    answer = 200;
    await n.pump();
    expect(received).toHaveLength(2);
    expect(targets.get(t.id)).toMatchObject({ lastError: null, lastSentAt: now });
    expect(n.pending()).toBe(0);
    answer = 503;
    n.enqueue(event("reset-failed", "danger"));
    for (let i = 0; i < 5; i++) await n.pump();
    expect(received).toHaveLength(5);
    expect(n.pending()).toBe(0);
  });

  it("the test button sends at once and says how it went; an unreachable target says why", async () => {
    const t = targets.create({ name: "phone", kind: "ntfy", url: `${url}/topic`, secret: null, minSeverity: "warn", createdBy: "admin" }, now);
    expect(await make().test(t.id, "admin")).toEqual({ ok: true, status: 200, error: null });
    expect(received[0]!.headers.title).toBe("RetroLAN: test notification");
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const dead = targets.create(
      { name: "dead", kind: "webhook", url: `http://127.0.0.1:${port}/nothing`, secret: null, minSeverity: "warn", createdBy: "admin" },
      now,
    );
    const r = await make().test(dead.id, "admin");
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/ECONNREFUSED/);
  });

  it("a disabled target gets nothing", async () => {
    const t = targets.create({ name: "hook", kind: "webhook", url: `${url}/hook`, secret: null, minSeverity: "info", createdBy: "admin" }, now);
    targets.update(t.id, { enabled: false });
    const n = make();
    n.enqueue(event("snapshot-invalid", "danger"));
    await n.pump();
    expect(received).toHaveLength(0);
  });
});
