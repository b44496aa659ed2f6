#!/usr/bin/node
// @ts-check
// Installed in the guest as /usr/bin/perl for the fault tests: runs the real perl (/usr/bin/perl.real)
// and passes the helper's dm worker requests through, pausing where the test says, so verbs can be
// started against a reset stopped at any step (or the helper killed there).
//   /run/pause/before-<op>   hold the request (wipe = dm-error, load = dm-load, resume = dm-resume)
//   /run/pause/after-<op>    hold the answer: the kernel has done it, the helper does not know yet
// While holding, it creates /run/pause/at-<before|after>-<op> and waits for the pause file to go.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";

const real = spawn("/usr/bin/perl.real", process.argv.slice(2), { stdio: ["pipe", "pipe", "inherit"] });
/** The mark of the pause held now: gone with this process too (its helper killed), never left stale. */
let holding = "";
real.on("exit", (code, signal) => {
  if (holding) rmSync(holding, { force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
process.stdin.on("end", () => real.stdin.end());
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

async function hold(/** @type {string} */ point) {
  if (!existsSync(`/run/pause/${point}`)) return;
  mkdirSync("/run/pause", { recursive: true });
  holding = `/run/pause/at-${point}`;
  writeFileSync(holding, String(process.pid));
  while (existsSync(`/run/pause/${point}`)) await sleep(50);
  rmSync(holding, { force: true });
  holding = "";
}

/** @param {import("node:stream").Readable} stream @returns {() => Promise<string | null>} */
function lines(stream) {
  let buf = "";
  /** @type {string[]} */
  const queue = [];
  /** @type {((line: string | null) => void)[]} */
  const waiters = [];
  stream.on("data", (/** @type {Buffer} */ d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const w = waiters.shift();
      if (w) w(line);
      else queue.push(line);
    }
  });
  stream.on("end", () => waiters.splice(0).forEach((w) => w(null)));
  return () => (queue.length ? Promise.resolve(queue.shift() ?? null) : new Promise((r) => waiters.push(r)));
}

const request = lines(process.stdin);
const answer = lines(real.stdout);
for (;;) {
  const first = await request();
  if (first === null) break;
  const batch = /^batch (\d+)$/.exec(first);
  const body = batch ? await Promise.all(Array.from({ length: Number(batch[1]) }, () => request())) : [first];
  const op = (body[0] ?? "").split(" ")[0];
  await hold(`before-${op}`);
  real.stdin.write([first, ...(batch ? body : [])].join("\n") + "\n");
  const answers = [];
  for (let i = 0; i < body.length; i++) answers.push(await answer());
  await hold(`after-${op}`);
  process.stdout.write(answers.join("\n") + "\n");
}
