import type { Config } from "../lib/config/schema";
import { LineSplitter } from "../lib/host/agent/lines";
import { AGENT_MAX_LINE, AGENT_PROTOCOL, HELPER_EXIT, HELPER_VERSION, type AgentRequest, type AgentResponse, type HelperOutput } from "../lib/host/protocol";
import { errorText } from "../lib/host/step-error";
import { gameDisksOf, parseHelperArgs, UsageError } from "./args";
import { runVerb, type StorageVerbs } from "./run-verb";

export interface AgentIo {
  /** Request bytes (the agent's stdin). */
  input: NodeJS.ReadableStream;
  /** One JSON line out (the agent's stdout). */
  write(line: string): void;
}

const MAX_ARGS = 1000;

function usage(message: string): { code: number; output: HelperOutput } {
  return { code: HELPER_EXIT.usage, output: { ok: false, error: { code: "usage", message } } };
}

/** The request's shape, before its argv goes through the helper's own parser. */
function shape(line: string): { req: AgentRequest } | { id: number | null; error: string } {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return { id: null, error: "request is not JSON" };
  }
  const r = (typeof msg === "object" && msg !== null ? msg : {}) as Partial<AgentRequest>;
  const id = Number.isSafeInteger(r.id) && (r.id as number) > 0 ? (r.id as number) : null;
  if (id === null) return { id, error: "request needs a positive integer id" };
  if (!Array.isArray(r.args) || r.args.length > MAX_ARGS || !r.args.every((a) => typeof a === "string" && a.length <= 64))
    return { id, error: "request needs args: an array of short strings" };
  if (Object.keys(r).some((k) => k !== "id" && k !== "args")) return { id, error: "request has fields other than id and args" };
  return { req: { id, args: r.args } };
}

/**
 * `cowherd-helper serve`: the long-lived agent. It repairs what a dead process left half done
 * (explicitly, once, before saying hello), then answers line-delimited JSON requests until its
 * stdin closes. Every request is the argv a one-shot call would take, checked by the same parser;
 * status reads never change anything; mutating verbs lock their PCs inside the storage host.
 */
export async function serve(config: Config, storage: StorageVerbs, io: AgentIo): Promise<number> {
  const known = new Set(config.machines.map((m) => m.id));
  const groups = new Set(config.groups.map((g) => g.name));
  const games = gameDisksOf(config);
  const repaired = await storage
    .repair(config.machines.map((m) => m.id))
    .catch((e: unknown) => [{ id: 0, ok: false, actions: [], error: `start-up repair failed: ${errorText(e)}` }]);
  io.write(
    JSON.stringify({
      hello: {
        agent: "cowherd-helper",
        version: HELPER_VERSION,
        protocol: AGENT_PROTOCOL,
        machines: [...known],
        repaired: repaired.filter((r) => r.actions.length || !r.ok),
      },
    }),
  );
  const inflight = new Set<Promise<void>>();
  const respond = (r: AgentResponse) => io.write(JSON.stringify(r));

  const handle = async (req: AgentRequest): Promise<void> => {
    let parsed: ReturnType<typeof parseHelperArgs>;
    try {
      parsed = parseHelperArgs(req.args, known, groups, games);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      return respond({ id: req.id, ...usage(e.message) });
    }
    if (parsed.verb === "serve") return respond({ id: req.id, ...usage("serve is not a request") });
    const r = await runVerb(parsed, config, storage, (machine, step) => io.write(JSON.stringify({ event: "step", request: req.id, machine, step })));
    respond({ id: req.id, ...r });
  };

  await new Promise<void>((resolve) => {
    const lines = new LineSplitter(
      AGENT_MAX_LINE,
      (line) => {
        const s = shape(line);
        if (!("req" in s)) {
          // Without an id there is nobody to answer: the caller's request times out.
          if (s.id !== null) respond({ id: s.id, ...usage(s.error) });
          else process.stderr.write(`cowherd-helper serve: refused a request: ${s.error}\n`);
          return;
        }
        const req = s.req;
        const p = handle(req).catch((e: unknown) =>
          respond({ id: req.id, code: HELPER_EXIT.host, output: { ok: false, error: { code: "internal", message: errorText(e) } } }),
        );
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      },
      () => process.stderr.write(`cowherd-helper serve: refused a request longer than ${AGENT_MAX_LINE} bytes\n`),
    );
    io.input.on("data", (c: Buffer) => lines.push(c));
    io.input.on("end", resolve);
    io.input.on("error", resolve);
  });
  await Promise.all(inflight);
  return HELPER_EXIT.ok;
}
