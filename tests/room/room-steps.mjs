// @ts-check
// What the room test proves (issues 8 and 10), step by step, from outside: PCs on the LAN, Chromium on the
// dashboard through the forwarded web port, the control port for the storage host's console.
import { chromium } from "@playwright/test";
import { lanFetch, RetroPc } from "./machines.mjs";

/** @typedef {import("../../lib/status/machines-view").MachinesView} MachinesView */
/** @typedef {import("../../lib/status/machines-view").MachineView} MachineView */
/**
 * Records one check of the room test and says whether it held.
 * @typedef {(name: string, ok: unknown, detail?: unknown) => boolean} Check
 */

const PASSWORD = "system-test-password";
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];
/** @type {import("./machines.mjs").Pc[]} */
const PCS = [1, 2, 3].map((id) => ({ id, name: `retro-0${id}`, ip: `10.13.0.${40 + id}`, mac: `52:54:00:13:00:${40 + id}` }));
const BOOT_MS = 300_000; // a PC's power-on to its count under TCG on a busy 2-core machine, with room

/** @param {number} ms @returns {Promise<void>} */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls fn until it gives something truthy; a try that throws counts as not yet, and the last such
 * error is in the timeout's message.
 * @template T
 * @param {string} what @param {() => Promise<T>} fn
 * @returns {Promise<NonNullable<T>>}
 */
async function until(what, fn, ms = 120_000, every = 250) {
  const end = Date.now() + ms;
  /** @type {unknown} */
  let lastError = null;
  for (;;) {
    const got = await fn().catch((e) => ((lastError = e), null));
    if (got) return got;
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${lastError ? ` (last try: ${lastError})` : ""}`);
    await sleep(every);
  }
}

/**
 * The storage guest's control port (tests/system/room-storage.mjs): POST /<name>, its JSON answer.
 * @param {number} port @returns {(name: string) => Promise<any>}
 */
function control(port) {
  return async (name) => {
    const r = await fetch(`http://127.0.0.1:${port}/${name}`, { method: "POST" });
    const body = await r.json();
    if (r.status !== 200) throw new Error(`control ${name}: HTTP ${r.status} ${JSON.stringify(body)}`);
    return body;
  };
}

/** @param {string} url */
async function apiSession(url) {
  const login = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`login: HTTP ${login.status} ${await login.text()}`);
  const cookie = login.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error("login: no session cookie in the answer");
  /**
   * One API request; `json` is the route's answer as sent (null when it was not JSON).
   * @param {string} method @param {string} path @param {object} [body]
   * @returns {Promise<{ status: number, json: any }>}
   */
  const call = async (method, path, body) => {
    /** @type {Record<string, string>} */
    const headers = { cookie, origin: url, ...(body ? { "content-type": "application/json" } : {}) };
    const r = await fetch(url + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, json: await r.json().catch(() => null) };
  };
  /** @returns {Promise<MachinesView>} */
  const view = async () => (await call("GET", "/api/machines")).json;
  /** @param {number} id @returns {Promise<MachineView>} */
  const machine = async (id) => {
    const m = (await view()).machines.find((m) => m.id === id);
    if (!m) throw new Error(`PC ${id} is not in /api/machines`);
    return m;
  };
  return { call, view, machine };
}

/**
 * The boot states a PC goes through, sampled from the API until stopped.
 * @param {Awaited<ReturnType<typeof apiSession>>} api @param {number[]} ids
 */
function watchStates(api, ids) {
  /** @type {Record<number, string[]>} */
  const seen = Object.fromEntries(ids.map((id) => [id, []]));
  let on = true;
  const sample = async () => {
    const v = await api.view().catch(() => null);
    for (const m of v?.machines ?? []) {
      const states = seen[m.id];
      if (states && states.at(-1) !== m.boot.state) states.push(m.boot.state);
    }
  };
  const loop = (async () => {
    while (on) {
      await sample();
      await sleep(200);
    }
  })();
  // One last look when stopped: the state the caller has just waited for is in the record too.
  return { seen, stop: async () => ((on = false), await loop, await sample(), seen) };
}

/** Whether seq passes through want's states in that order (others may come between). @param {string[]} seq @param {string[]} want */
const inOrder = (seq, want) => {
  let i = 0;
  for (const s of seq) if (s === want[i]) i++;
  return i === want.length;
};

/**
 * @param {object} room
 * @param {import("../../scripts/guest/build-guest.mjs").GuestPaths} room.guest
 * @param {string} room.cacheDir
 * @param {import("./machines.mjs").Lan} room.lan
 * @param {{ web: number, control: number }} room.ports the guest's web and control ports, forwarded to loopback
 * @param {string} room.shots where screenshots go
 * @param {Check} room.check
 * @param {Record<string, number>} room.timings seconds each part took, filled in here
 * @param {() => boolean} room.guestDone whether the storage guest has stopped
 */
export async function roomSteps({ guest, cacheDir, lan, ports, shots, check, timings, guestDone }) {
  const web = `http://127.0.0.1:${ports.web}`;
  const ctl = control(ports.control);
  /** @param {string} name @param {number} since */
  const mark = (name, since) => (timings[name] = Math.round((Date.now() - since) / 100) / 10);

  let t = Date.now();
  await until("the storage guest to be ready (tgtd, up, dnsmasq, the app)", async () => !guestDone() && (await ctl("ready")).ok, 20 * 60_000, 2000);
  mark("storageReady", t);
  const api = await apiSession(web);
  /**
   * Each PC's numbers as the storage host's kernel has them (tests/system/room-storage.mjs), by id.
   * @returns {Promise<Record<number, any>>}
   */
  const kernel = async () => Object.fromEntries((await ctl("kernel-status")).machines.map((/** @type {{ id: number }} */ m) => [m.id, m]));
  const pcs = new Map(PCS.map((p) => [p.id, new RetroPc(p, lan)]));
  /** @param {number} id */
  const pc = (id) => {
    const p = pcs.get(id);
    if (!p) throw new Error(`no PC ${id} in the room`);
    return p;
  };

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_FLAGS });
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  /** @param {string} name */
  const card = (name) => page.getByRole("article", { name });
  try {
    await page.goto(web + "/login");
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(web + "/");
    // The address changes before the grid has rendered (its loading skeleton stands in): wait for the cards.
    const listed = await until("the grid's cards", async () => (await page.getByRole("article").count()) === 3, 60_000).then(
      () => true,
      () => false,
    );
    check("the dashboard opens in Chromium through the forwarded port and lists the room's 3 PCs", listed, await page.getByRole("article").count());

    // ── 1. PC 1 and PC 2 boot from their LUNs ──────────────────────────────────────────────────
    t = Date.now();
    const watch = watchStates(api, [1, 2]);
    const first = await Promise.all([1, 2].map(async (id) => (pc(id).powerOn(), pc(id).bootCount(BOOT_MS))));
    mark("firstBootsToCount", t);
    check(
      "1. PC 1 and PC 2 boot from their LUNs over iPXE (DHCP, chain, sanboot) and each prints count 1",
      first.every((b) => b.count === 1),
      first,
    );
    const games1 = await Promise.all(
      [1, 2].map((id) =>
        pc(id)
          .gameMarker(30_000)
          .catch(() => null),
      ),
    );
    check(
      "1. each boot program reads GAME-V1 from its second BIOS drive: the game disk (LUN 2) its boot script hooked as 0x81",
      games1.every((g) => g === "GAME-V1"),
      games1,
    );
    await Promise.all([1, 2].map((id) => pc(id).console.waitFor(/system has ended/, 120_000)));
    await until("PC 1 and PC 2 off", async () => (await api.view()).machines.filter((m) => m.id <= 2).every((m) => m.boot.state === "off"), 120_000);
    const states = await watch.stop();
    check(
      "1. Cowherd showed each of them booting, then online, then off",
      [1, 2].every((id) => inOrder(states[id] ?? [], ["booting", "online", "off"])),
      states,
    );
    await Promise.all([1, 2].map((id) => pc(id).powerCut()));
    const k1 = await kernel();
    const v1 = await api.view();
    check(
      "1. the kernel's usage rose with their writes (more than the fresh 16 sectors)",
      [1, 2].every((id) => k1[id].usedSectors > 16) && k1[3].usedSectors === 16,
      k1,
    );
    check(
      "1. the grid shows the kernel's numbers",
      v1.machines.every((m) => m.usedSectors === k1[m.id].usedSectors && m.totalSectors === k1[m.id].totalSectors),
      v1.machines.map((m) => [m.id, m.usedSectors]),
    );
    check(
      "1. each boot is recorded as booted",
      v1.machines.filter((m) => m.id <= 2).every((m) => m.boot.last?.result === "ok" || m.boot.last?.result === "returned"),
      v1.machines.map((m) => m.boot),
    );
    await page.reload();
    await page.screenshot({ path: `${shots}/room-grid-kernel-numbers-laptop.png`, fullPage: true });

    // ── 2. an online PC: refused now, reset at its next boot ───────────────────────────────────
    t = Date.now();
    pc(1).powerOn();
    const second = await pc(1).bootCount(BOOT_MS);
    pc(1).key("H");
    await pc(1).console.waitFor(/RETRO HOLDING/, 30_000);
    check("2. PC 1 boots again without a reset: count 2", second.count === 2, second);
    await until("PC 1 online", async () => (await api.machine(1)).boot.state === "online", 60_000);
    const refused = await api.call("POST", "/api/machines/1/reset");
    check(
      "2. a reset of the online PC 1 is refused (409 machine-online) with the way out in words",
      refused.status === 409 && refused.json?.error?.code === "machine-online" && /next boot/.test(refused.json.error.message),
      refused,
    );
    await page.getByRole("button", { name: "Reset retro-01" }).click();
    const dialog = page.getByRole("dialog", { name: "Reset retro-01?" });
    await dialog.waitFor();
    check(
      "2. the dashboard's dialog says PC 1 is running and offers the next boot",
      /running|online/i.test(await dialog.innerText()),
      await dialog.innerText(),
    );
    await dialog.getByRole("button", { name: "Reset at next boot" }).click();
    await card("retro-01").getByTestId("pending-reset").waitFor();
    await page.screenshot({ path: `${shots}/room-pending-next-boot-laptop.png`, fullPage: true });
    check("2. the reset waits on PC 1's card", (await api.machine(1)).pendingReset !== null);
    const usedHeld = (await kernel())[1].usedSectors;
    check("2. nothing was reset while PC 1 runs (its usage kept)", usedHeld > 16, usedHeld);
    pc(1).key("P"); // a power cut: its session stays open on the target
    await pc(1).exited;
    pc(1).child = null;
    pc(1).powerOn();
    pc(2).powerOn();
    const [third, pc2second] = await Promise.all([pc(1).bootCount(BOOT_MS), pc(2).bootCount(BOOT_MS)]);
    check("2. PC 1, power-cycled, is reset by its boot script first and prints count 1 again (fresh)", third.count === 1, {
      third,
      console: pc(1).console.text.slice(-1500),
    });
    check("2. its screen said so before it booted", /clean disk/i.test(pc(1).console.text), pc(1).console.text.slice(-1500));
    check("2. PC 2, booted again without a reset, prints count 2", pc2second.count === 2, pc2second);
    await Promise.all([1, 2].map((id) => pc(id).console.waitFor(/system has ended/, 120_000)));
    await Promise.all([1, 2].map((id) => pc(id).powerCut()));
    /** @type {import("../../lib/db/history").ResetRow[]} */
    const hist = (await api.call("GET", "/api/history?pageSize=20")).json.resets;
    const bootReset = hist.find((r) => r.machineId === 1 && r.source === "boot");
    check("2. the reset is in the history with source boot", bootReset?.result === "ok" && bootReset?.outcome === "fresh", hist.slice(0, 3));
    check("2. and no longer pending", (await api.machine(1)).pendingReset === null);
    mark("onlineResetAtNextBoot", t);

    // ── 3. reset all before the event, with one PC online ─────────────────────────────────────
    t = Date.now();
    pc(1).powerOn();
    const fourth = await pc(1).bootCount(BOOT_MS);
    pc(1).key("H");
    await until("PC 1 online again", async () => (await api.machine(1)).boot.state === "online", 60_000);
    await page.reload();
    await page.getByRole("button", { name: "Reset all before the event" }).click();
    const bulk = page.getByRole("dialog", { name: "Reset all PCs before the event?" });
    await bulk.waitFor();
    const bulkText = await bulk.innerText();
    check(
      "3. the event dialog says which PCs go now and which at their next boot",
      /Reset now \(2\): retro-02, retro-03/.test(bulkText) && /Up right now \(1\): retro-01/.test(bulkText),
      bulkText,
    );
    await bulk.getByRole("button", { name: "Reset the others now, these at next boot" }).click();
    await page.getByText("Bulk reset: 2 of 2 succeeded").waitFor({ timeout: 60_000 });
    await card("retro-01").getByTestId("pending-reset").waitFor();
    await page.screenshot({ path: `${shots}/room-event-reset-laptop.png`, fullPage: true });
    const k3 = await kernel();
    check(
      "3. the offline PCs were reset now (the kernel's fresh 16 sectors), the online one kept its data",
      k3[2].usedSectors === 16 && k3[3].usedSectors === 16 && k3[1].usedSectors > 16,
      { k3, fourth },
    );
    pc(1).key("Q"); // this time a clean shutdown: its session closes
    await pc(1).console.waitFor(/system has ended/, 120_000);
    await until("PC 1 off after its shutdown", async () => (await api.machine(1)).boot.state === "off", 60_000);
    await pc(1).powerCut();
    pc(1).powerOn();
    pc(2).powerOn();
    const [fifth, pc2third] = await Promise.all([pc(1).bootCount(BOOT_MS), pc(2).bootCount(BOOT_MS)]);
    check("3. the marked PC is reset at its boot (count 1); PC 2, reset with the others, counts 1", fifth.count === 1 && pc2third.count === 1, {
      fifth,
      pc2third,
    });
    await Promise.all([1, 2].map((id) => pc(id).console.waitFor(/system has ended/, 120_000)));
    await Promise.all([1, 2].map((id) => pc(id).powerCut()));
    mark("eventReset", t);

    // ── 4. the legacy route over the LAN ───────────────────────────────────────────────────────
    t = Date.now();
    const pc3 = pc(3).pc;
    const client = await lanFetch({ guest, workDir: cacheDir, lan, mac: pc3.mac, url: "http://10.13.0.1:3000/cgi/status" });
    const k4 = await kernel();
    check("4. a client with PC 3's MAC gets PC 3's address from dnsmasq", client.address === pc3.ip, client.log.slice(-1500));
    check(
      "4. /cgi/status from PC 3's own address answers OK with the kernel's numbers for PC 3",
      client.body === `OK ${k4[3].usedSectors} ${k4[3].totalSectors}`,
      { body: client.body, kernel: k4[3] },
    );
    const self = await ctl("legacy-self");
    check("4. from the storage host's own address it is ERR Not a RetroLAN Machine", self.body === "ERR Not a RetroLAN Machine\n", self);
    mark("legacyOverLan", t);

    // ── 5. the storage host reboots ───────────────────────────────────────────────────────────
    t = Date.now();
    const before = await kernel();
    const reboot = await ctl("reboot");
    check(
      "5. a reboot tears the storage down (no dm device left) and `up` brings every PC back",
      reboot.torn.dmLeft === "No devices found" && reboot.upCode === 0,
      reboot,
    );
    const after = await kernel();
    check(
      "5. every PC's COW kept its data through the reboot",
      [1, 2, 3].every((id) => after[id].usedSectors === before[id].usedSectors && after[id].exported),
      { before, after },
    );
    pc(1).powerOn();
    pc(2).powerOn();
    const [r1, r2] = await Promise.all([pc(1).bootCount(BOOT_MS), pc(2).bootCount(BOOT_MS)]);
    check("5. both PCs boot again with their content kept (counts 2 and 2)", r1.count === 2 && r2.count === 2, { r1, r2 });
    await Promise.all([1, 2].map((id) => pc(id).console.waitFor(/system has ended/, 120_000)));
    await Promise.all([1, 2].map((id) => pc(id).powerCut()));
    mark("hostReboot", t);

    // ── 6. a PC whose target is down ──────────────────────────────────────────────────────────
    t = Date.now();
    await ctl("tgtd-stop");
    pc(3).powerOn();
    const screen = await pc(3).console.waitFor(/could NOT boot from its disk/, BOOT_MS);
    const why = await pc(3).console.waitFor(/Error 0x/, 30_000);
    check(
      "6. with the target down, PC 3's screen says it could not boot, and why",
      /could NOT boot/.test(screen) && /refused|unreachable|timed out|reset|aborted/.test(why),
      pc(3).console.text.slice(-1500),
    );
    await pc(3).powerCut();
    const failed = await until(
      "PC 3's failed boot recorded",
      async () => {
        const m = await api.machine(3);
        return m.boot.last?.result === "failed" ? m : null;
      },
      30_000,
    );
    check(
      "6. Cowherd records the boot failure with iPXE's error in words",
      /sanboot/.test(failed.boot.last?.failedStep ?? "") && !!failed.boot.last?.error,
      failed.boot,
    );
    await page.reload();
    await card("retro-03").getByTestId("boot-note").waitFor();
    check("6. the card shows it", /Boot failed/.test(await card("retro-03").getByTestId("boot-note").innerText()));
    const outage = await api.view();
    check(
      "6. the storage host is not called unreachable: its PCs keep the kernel's numbers, each saying the target does not answer",
      outage.hosts.every((h) => !h.failing) && outage.machines.every((m) => m.level !== "unknown" && /iSCSI target does not answer/.test(m.problem ?? "")),
      { hosts: outage.hosts, machines: outage.machines.map((m) => [m.id, m.level, m.problem]) },
    );
    await card("retro-03").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/room-boot-failed-laptop.png`, fullPage: true });
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(web + "/");
    await phone.screenshot({ path: `${shots}/room-grid-phone.png`, fullPage: true });
    const back = await ctl("tgtd-start");
    check("6. the target back, repair exports every LUN again", back.code === 0, back);
    pc(3).powerOn();
    const r3 = await pc(3).bootCount(BOOT_MS);
    check("6. and PC 3 boots (count 1)", r3.count === 1, r3);
    await pc(3).console.waitFor(/system has ended/, 120_000);
    await pc(3).powerCut();
    mark("targetDown", t);

    // ── 7. a master image update: update mode on PC 1, publish v2, PC 2 moves to it at its reset ──
    t = Date.now();
    /** @returns {Promise<import("../../lib/images/image-service").HostImagesView>} */
    const images = async () => (await api.call("GET", "/api/images")).json.hosts[0];
    const started = await api.call("POST", "/api/images/update", { machine: 1, comment: "the boot program's version byte goes to 2" });
    check("7. an update starts on PC 1 (202 while the copy of v1 runs)", started.status === 202, started);
    await until(
      "the draft of v2 to be copied",
      async () => {
        const h = await images();
        return h.draft?.state === "ready" && !h.busy;
      },
      180_000,
      1000,
    );
    await page.goto(web + "/");
    await card("retro-01").getByTestId("update-pc").waitFor();
    check("7. PC 1's card marks it as the update PC", /Update PC/.test(await card("retro-01").getByTestId("update-pc").innerText()));
    pc(1).powerOn();
    const draftBoot = await pc(1).bootCount(BOOT_MS);
    check(
      "7. PC 1 boots the draft (its screen says update mode), a copy of v1 that has never booted: count 1, image 1",
      /UPDATE MODE/.test(pc(1).console.text) && draftBoot.count === 1 && draftBoot.image === "1",
      { draftBoot, console: pc(1).console.text.slice(-1500) },
    );
    pc(1).key("U"); // "installs an update": the version byte in sector 0 goes to 2, then it shuts down
    await pc(1).console.waitFor(/system has ended/, 120_000);
    await pc(1).powerCut();
    await until("PC 1's session on the update target closed", async () => (await images()).draft?.online === false, 60_000, 500);
    const published = await api.call("POST", "/api/images/publish", { comment: "image 2" });
    const after7 = await until(
      "v2 current",
      async () => {
        const h = await images();
        return h.current === 2 ? h : null;
      },
      30_000,
      500,
    ).catch(() => images());
    check(
      "7. publish makes v2 current with its comment",
      published.status === 200 && after7.current === 2 && after7.draft === null && after7.versions.find((v) => v.n === 2)?.comment === "image 2",
      { published, after7 },
    );
    const m3 = await api.machine(3);
    check(
      "7. PC 3, not reset, stays on v1 and its card says it moves at its next reset; v1 stays attached",
      m3.image.version === 1 && m3.image.current === 2 && after7.versions.find((v) => v.n === 1)?.attached === true,
      { image: m3.image, versions: after7.versions },
    );
    await page.reload();
    await card("retro-03").getByTestId("older-version").waitFor();
    await page.screenshot({ path: `${shots}/room-image-published-laptop.png`, fullPage: true });
    const reset2 = await api.call("POST", "/api/machines/2/reset");
    if (reset2.status !== 202) throw new Error(`7. PC 2's reset: HTTP ${reset2.status} ${JSON.stringify(reset2.json)}`);
    const job2 = await until(
      "PC 2's reset",
      async () => {
        const j = (await api.call("GET", `/api/jobs/${reset2.json.job.id}`)).json.job;
        return j.finishedAt ? j : null;
      },
      120_000,
      500,
    );
    check("7. PC 2 (off) is reset onto v2", job2.machines[0].ok === true && (await api.machine(2)).image.version === 2, job2.machines[0]);
    pc(2).powerOn();
    const onV2 = await pc(2).bootCount(BOOT_MS);
    check("7. PC 2 boots v2: image 2, and count 2 (the update boot's own count is part of v2)", onV2.image === "2" && onV2.count === 2, onV2);
    await pc(2).console.waitFor(/system has ended/, 120_000);
    await pc(2).powerCut();
    await page.goto(web + "/images");
    await page.screenshot({ path: `${shots}/room-images-laptop.png`, fullPage: true });
    mark("imageUpdate", t);

    // ── 8. the game disk: a new version published; a reset PC gets it, a kept PC does not ────────
    t = Date.now();
    const kept = await api.call("PUT", "/api/machines/2/keep", { reason: "room test: its game disk must not change" });
    if (kept.status !== 200) throw new Error(`8. keeping PC 2: HTTP ${kept.status} ${JSON.stringify(kept.json)}`);
    const gamePublish = await ctl("game-publish");
    check("8. a game disk version 2 is made on PC 3 (update mode, GAME-V2 written into its draft) and published", gamePublish.code === 0, gamePublish);
    const bulk8 = await api.call("POST", "/api/resets", { machines: [1, 2] });
    check(
      "8. a bulk reset of PC 1 and PC 2 resets PC 1 and leaves PC 2 alone because it is kept",
      bulk8.status === 202 && bulk8.json.kept?.join() === "2",
      bulk8,
    );
    const job8 = await until(
      "PC 1's reset",
      async () => {
        const j = (await api.call("GET", `/api/jobs/${bulk8.json.job.id}`)).json.job;
        return j.finishedAt ? j : null;
      },
      120_000,
      500,
    );
    check(
      "8. PC 1's reset reset both of its disks (the game disk's steps are in its history)",
      job8.machines[0]?.ok === true &&
        (await api.call("GET", "/api/history?pageSize=5")).json.resets[0]?.steps?.some((/** @type {{ step: string }} */ x) => /^game:/.test(x.step)),
      job8.machines[0],
    );
    const [m1, m2] = [await api.machine(1), await api.machine(2)];
    check(
      "8. the grid: PC 1's game disk is on version 2, kept PC 2's still on version 1 (current 2)",
      m1.game?.image.version === 2 && m2.game?.image.version === 1 && m2.game?.image.current === 2,
      { pc1: m1.game, pc2: m2.game },
    );
    const games8 = await Promise.all(
      [1, 2].map(async (id) => {
        pc(id).powerOn();
        await pc(id).bootCount(BOOT_MS);
        return pc(id)
          .gameMarker(30_000)
          .catch(() => null);
      }),
    );
    check("8. PC 1 (reset) boots with the new game disk, GAME-V2; kept PC 2 still reads GAME-V1", games8[0] === "GAME-V2" && games8[1] === "GAME-V1", games8);
    await Promise.all([1, 2].map((id) => pc(id).console.waitFor(/system has ended/, 120_000)));
    await Promise.all([1, 2].map((id) => pc(id).powerCut()));
    mark("gameDisk", t);
  } catch (e) {
    const log = await ctl("app-log").catch(() => ({ log: "" }));
    console.log(`room: the app's log (end):\n${log.log.slice(-4000)}`);
    throw e;
  } finally {
    await Promise.all([...pcs.values()].map((p) => p.powerCut()));
    await browser.close();
    await ctl("finish").catch(() => {});
  }
}
