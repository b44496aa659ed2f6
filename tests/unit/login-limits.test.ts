import { spawnSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiServer } from "../helpers/api-server";
import { request } from "../helpers/http";
import { ADMIN_PASSWORD } from "../helpers/runtime";

// Every request here goes through the real HTTP front on loopback (real sockets, each from the
// loopback address it names) to the real login route; parallel ones are all in flight at once.
let srv: Awaited<ReturnType<typeof apiServer>>;
beforeEach(async () => {
  srv = await apiServer({}, { maxConnectionsPerAddress: 1000 });
});
afterEach(() => srv.close());

const loginAs = (password: string, from: string, cookie?: string, username = "admin") =>
  request(srv.port, "POST", "/api/auth/login", { from, body: { username, password }, cookie });
const statuses = (rs: { status: number }[]) => rs.reduce<Record<number, number>>((acc, r) => ((acc[r.status] = (acc[r.status] ?? 0) + 1), acc), {});
const addresses = (n: number, first = 100) => Array.from({ length: n }, (_, i) => `127.0.${Math.floor((first + i) / 250)}.${((first + i) % 250) + 1}`);

describe("parallel logins cannot outrun the throttle", () => {
  it("5 failures and the wait after them, then 100 parallel wrong logins: one is checked, 99 are 429", async () => {
    let offset = 0;
    srv.rt.limiter.now = () => Date.now() + offset;
    for (let i = 0; i < 5; i++) expect((await loginAs(`wrong-${i}`, "127.0.0.9")).status).toBe(401);
    const limited = await loginAs("wrong-5", "127.0.0.9");
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("2");
    offset += 2_100; // the client honours Retry-After, then sends everything at once
    const burst = await Promise.all(Array.from({ length: 100 }, (_, i) => loginAs(`guess-${i}`, "127.0.0.9")));
    console.log("100 parallel wrong logins after 5 failures and the wait:", statuses(burst));
    expect(statuses(burst)).toEqual({ 401: 1, 429: 99 });
    expect(srv.rt.audit.list({ action: "login", outcome: "failed", page: 1, pageSize: 200 }).total).toBe(6);
  });

  it("the right password sent while 39 wrong ones are being checked does not get in once the limit is reached", async () => {
    const wrong = Array.from({ length: 39 }, (_, i) => loginAs(`guess-${i}`, "127.0.0.9"));
    // Wait until the server has counted the free attempts (they are still in their password checks) …
    const sourceOnly = { source: "addr:127.0.0.9", account: "-" };
    while (srv.rt.limiter.retryAfter(sourceOnly, true) === 0) await new Promise((r) => setTimeout(r, 1));
    // … and send the right one while they are in flight.
    const right = await loginAs(ADMIN_PASSWORD, "127.0.0.9");
    const rest = await Promise.all(wrong);
    console.log("39 wrong + 1 right in parallel:", { right: right.status, wrong: statuses(rest) });
    expect(right.status).toBe(429);
    expect(right.cookies.cowherd_session).toBeUndefined();
    expect(statuses(rest)).toEqual({ 401: 5, 429: 34 });
    expect(srv.rt.db.prepare("SELECT COUNT(*) FROM sessions").pluck().get()).toBe(0);
  });

  it("from a clean start, a parallel burst gets exactly the free attempts checked, from one address or from 40", async () => {
    const one = await Promise.all(Array.from({ length: 40 }, (_, i) => loginAs(`guess-${i}`, "127.0.0.9")));
    expect(statuses(one)).toEqual({ 401: 5, 429: 35 });
    // The account counts too: 40 addresses at once against another name get 5 checks between them.
    const many = await Promise.all(addresses(40).map((from, i) => loginAs(`guess-${i}`, from, undefined, "ghost")));
    console.log("40 wrong logins from 40 addresses at once:", statuses(many));
    expect(statuses(many)).toEqual({ 401: 5, 429: 35 });
  });

  it("a success gives its reservation back: the owner's own logins do not use up the free attempts", async () => {
    const ok: number[] = [];
    for (let i = 0; i < 12; i++) ok.push((await loginAs(ADMIN_PASSWORD, "127.0.0.20")).status);
    expect(ok).toEqual(Array(12).fill(200));
    expect((await loginAs("wrong", "127.0.0.20")).status).toBe(401);
  });
});

describe("failed logins from others cannot lock the owner out", () => {
  async function ownerDevice(): Promise<string> {
    const r = await loginAs(ADMIN_PASSWORD, "127.0.0.20");
    expect(r.status).toBe(200);
    expect(r.headers["set-cookie"]!.find((c) => c.startsWith("cowherd_device="))).toMatch(/HttpOnly; SameSite=Strict; Max-Age=31536000/);
    expect(r.headers["set-cookie"]!.find((c) => c.startsWith("cowherd_device="))).toMatch(/Path=\/api\/auth\/login/);
    return `cowherd_device=${r.cookies.cowherd_device}`;
  }

  it("while 40 addresses guess in parallel, the owner gets in with a known device, from a known address, and with a session or token", async () => {
    const device = await ownerDevice();
    const session = `cowherd_session=${(await loginAs(ADMIN_PASSWORD, "127.0.0.20")).cookies.cowherd_session}`;
    const token = (await request(srv.port, "POST", "/api/tokens", { from: "127.0.0.20", cookie: session, body: { name: "ops", scope: "admin" } })).json.token;
    // Wave after wave of guesses from rotating addresses, the owner logging in in the middle of each.
    const results = { owner: [] as number[], ownerAddress: [] as number[], attacker: [] as number[], stranger: [] as number[] };
    for (let wave = 0; wave < 3; wave++) {
      const attacks = addresses(40, 100 + wave * 40).map((from, i) => loginAs(`guess-${wave}-${i}`, from));
      const owner = loginAs(ADMIN_PASSWORD, "127.0.0.21", device); // known browser, new address
      const ownerAddress = loginAs(ADMIN_PASSWORD, "127.0.0.20"); // new browser, known address
      const [o, oa, ...a] = await Promise.all([owner, ownerAddress, ...attacks]);
      results.owner.push(o!.status);
      results.ownerAddress.push(oa!.status);
      results.attacker.push(...a.map((r) => r.status));
    }
    // The right password from a stranger's address and browser is refused while the account is locked.
    results.stranger.push((await loginAs(ADMIN_PASSWORD, "127.0.0.30")).status);
    console.log("lockout waves:", {
      owner: results.owner,
      ownerAddress: results.ownerAddress,
      attacker: statuses(results.attacker.map((status) => ({ status }))),
      stranger: results.stranger,
    });
    expect(results.owner).toEqual([200, 200, 200]);
    expect(results.ownerAddress).toEqual([200, 200, 200]);
    expect(results.attacker.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(results.stranger).toEqual([429]);
    // Existing sessions and tokens never depended on logging in.
    expect((await request(srv.port, "GET", "/api/machines", { from: "127.0.0.20", cookie: session })).status).toBe(200);
    expect((await request(srv.port, "GET", "/api/machines", { from: "127.0.0.22", headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it("one wrong guess per delay from rotating addresses: the owner on a known device gets in every time (38 of 38)", async () => {
    const device = await ownerDevice();
    let now = Date.now();
    srv.rt.limiter.now = () => now;
    const owner: number[] = [];
    for (const [i, from] of addresses(38).entries()) {
      now += srv.rt.config.login.maxDelaySeconds * 1000;
      await loginAs(`guess-${i}`, from);
      owner.push((await loginAs(ADMIN_PASSWORD, "127.0.0.21", device)).status);
    }
    expect(owner.filter((s) => s === 200).length).toBe(38);
  });

  it("a device cookie counts only for its own account, and a forged one for none", async () => {
    const device = await ownerDevice();
    for (let i = 0; i < 6; i++) await loginAs(`guess-${i}`, addresses(6)[i]!, device, "ghost");
    // ghost's account is locked for unknown sources: admin's device cookie is not a ghost device.
    expect((await loginAs("x", "127.0.0.31", device, "ghost")).status).toBe(429);
    for (let i = 0; i < 6; i++) await loginAs(`guess-${i}`, addresses(6, 50)[i]!);
    expect((await loginAs(ADMIN_PASSWORD, "127.0.0.32", "cowherd_device=forged")).status).toBe(429);
  });

  it("the shell's passwd lifts the lock at once", async () => {
    await Promise.all(addresses(20).map((from, i) => loginAs(`guess-${i}`, from)));
    expect((await loginAs(ADMIN_PASSWORD, "127.0.0.30")).status).toBe(429);
    const r = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/cowherd-cli.ts", "passwd", "admin"], {
      env: { ...process.env, COWHERD_DATA_DIR: srv.rt.dataDir, COWHERD_NEW_PASSWORD: "after-the-attack" },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect((await loginAs("after-the-attack", "127.0.0.30")).status).toBe(200);
  });
});
