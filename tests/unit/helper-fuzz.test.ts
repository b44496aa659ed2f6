import { describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config/load";
import { runHelper } from "@/helper/run-helper";
import { Readable } from "node:stream";
import { HELPER_EXIT, type AgentResponse } from "@/lib/host/protocol";
import { SimKernel } from "@/lib/host/sim/kernel/kernel";

const config = parseConfig({
  host: "real",
  machines: Array.from({ length: 14 }, (_, i) => ({ id: i + 1, name: `pc${i + 1}`, ip: `10.0.0.${41 + i}`, dmName: `retrocow${i + 1}` })),
  storage: { master: "/store/master.img" },
});

function io(fake: SimKernel, lines: string[] = [], out: string[] = []) {
  return {
    config: () => config,
    run: fake.runner,
    fs: fake.fs,
    dm: () => fake.worker,
    stateDir: "/run/cowherd",
    event: () => undefined,
    agent: { input: Readable.from(lines.map((l) => l + "\n")), write: (l: string) => void out.push(l) },
  };
}

/** Independent oracle: what the helper must accept. */
function valid(argv: string[]): boolean {
  const id = (s: string) => /^[1-9][0-9]{0,2}$/.test(s) && Number(s) <= 14;
  const [verb, ...rest] = argv;
  switch (verb) {
    case "status":
    case "version":
    case "repair":
    case "serve":
      return rest.length === 0;
    case "reset": {
      const ids = rest[0] === "--force" ? rest.slice(1) : rest;
      return ids.length > 0 && ids.every(id);
    }
    case "down":
      return rest.length > 0 && rest.every(id);
    case "up":
      return rest.every(id);
    case "grow":
      return (
        (rest.length === 2 || (rest.length === 4 && rest[2] === "--expect-sectors" && /^[1-9][0-9]{0,12}$/.test(rest[3]!))) &&
        id(rest[0]!) &&
        /^[1-9][0-9]{0,6}$/.test(rest[1]!)
      );
    default:
      return false;
  }
}

// Deterministic PRNG so a failure reproduces.
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const NASTY = [
  "1;reboot",
  "-1",
  "0",
  "015",
  "1e3",
  " 1",
  "1 ",
  "../1",
  "--help",
  "-h",
  "",
  "1\n",
  "１",
  "٣",
  "0x1",
  "+1",
  "1.0",
  "999",
  "15",
  "1000",
  "$(reboot)",
  "`id`",
  "1|id",
  "x".repeat(5000),
  "\u0000",
  "é",
  "1,2",
  "status",
  "reset",
  "--force",
  "--force",
  "--expect-sectors",
  "--expect-sectors",
  "-f",
  "--FORCE",
  "--force=1",
  "32768",
];
const VERBS = ["status", "reset", "up", "down", "grow", "repair", "version", "Reset", "RESET", "reset ", "", "--help", "sh", "-c"];

function randomArg(r: () => number): string {
  const k = r();
  if (k < 0.35) return NASTY[Math.floor(r() * NASTY.length)]!;
  if (k < 0.6) return String(Math.floor(r() * 20));
  const alphabet = "0123456789;-/ .e\n\t$`|&<>*?~abcxyz\u00e9\u0661\uff11";
  return Array.from({ length: Math.floor(r() * 8) }, () => alphabet[Math.floor(r() * alphabet.length)]).join("");
}

describe("helper boundary", () => {
  it.each([["1;reboot"], ["-1"], ["0"], ["015"], ["1e3"], [" 1"], ["../1"], ["--help"], ["x".repeat(100_000)], ["１"], [""]])(
    "reset %j: exit 2, no command run",
    async (bad) => {
      const fake = new SimKernel();
      const r = await runHelper(["reset", bad], io(fake));
      expect(r.code).toBe(HELPER_EXIT.usage);
      expect(fake.calls).toEqual([]);
    },
  );

  it("runs commands for valid input (the runner is observable)", async () => {
    const fake = new SimKernel();
    const r = await runHelper(["status"], io(fake));
    expect(r.code).toBe(0);
    expect(fake.calls.length).toBe(5);
  });

  it("5000 generated argv vectors: every invalid one exits 2 and runs nothing; valid ones are never refused as usage errors", async () => {
    const r = rng(20261125);
    let invalid = 0;
    for (let i = 0; i < 5000; i++) {
      const argv = [VERBS[Math.floor(r() * VERBS.length)]!, ...Array.from({ length: Math.floor(r() * 4) }, () => randomArg(r))];
      if (r() < 0.02) argv.push(...Array.from({ length: 1200 }, () => "1"));
      const fake = new SimKernel();
      const res = await runHelper(argv, io(fake));
      if (!valid(argv) || argv.length > 1000) {
        invalid++;
        expect({ argv: argv.slice(0, 5), code: res.code, calls: fake.calls }).toEqual({ argv: argv.slice(0, 5), code: HELPER_EXIT.usage, calls: [] });
      } else {
        expect(res.code).not.toBe(HELPER_EXIT.usage);
      }
    }
    expect(invalid).toBeGreaterThan(3000);
  });

  it("the agent applies the same rules to every request: 3000 generated requests, invalid ones answered 2 with nothing run", async () => {
    const r = rng(20261126);
    const requests: { id: number; args: string[] }[] = [];
    for (let i = 0; i < 3000; i++) {
      const args = [VERBS[Math.floor(r() * VERBS.length)]!, ...Array.from({ length: Math.floor(r() * 4) }, () => randomArg(r))];
      // Only the verbs that change nothing may pass, so "nothing ran" stays checkable.
      if (valid(args) && !["status", "version"].includes(args[0]!)) continue;
      requests.push({ id: i + 1, args });
    }
    const lines = [
      ...requests.map((q) => JSON.stringify(q)),
      "not json",
      JSON.stringify({ id: 9001, args: "reset 1" }),
      JSON.stringify({ id: 9002, args: ["reset", "1"], extra: true }),
      "x".repeat(200_000),
    ];
    const out: string[] = [];
    const fake = new SimKernel();
    const res = await runHelper(["serve"], io(fake, lines, out));
    expect(res.code).toBe(0);
    const answers = new Map(
      out
        .slice(1)
        .map((l) => JSON.parse(l) as AgentResponse)
        .map((a) => [a.id, a]),
    );
    for (const q of requests) {
      expect({ args: q.args.slice(0, 3), code: answers.get(q.id)?.code }).toEqual({ args: q.args.slice(0, 3), code: valid(q.args) ? 0 : HELPER_EXIT.usage });
    }
    expect(answers.get(9001)?.code).toBe(HELPER_EXIT.usage);
    expect(answers.get(9002)?.code).toBe(HELPER_EXIT.usage);
    expect(fake.mutations()).toEqual([]);
    expect(JSON.parse(out[0]!).hello).toMatchObject({ agent: "cowherd-helper", machines: Array.from({ length: 14 }, (_, i) => i + 1) });
  });
});
