import { EVENT_KINDS, SEVERITIES, type AlertTargetKind, type Severity } from "../constants";
import type { AlertTargetRepo, AlertTargetWithSecret } from "../db/alert-targets";
import type { EventRow } from "../db/events";
import { errorText } from "../host/step-error";
import { localTargetRefusal, type Lookup } from "./target-address";

/** What a notification says: an event, a test, or a summary of those held back by the rate limit. */
export interface Alert {
  id: number | null;
  at: number;
  kind: string;
  severity: Severity;
  title: string;
  message: string;
  machine: { id: number; name: string } | null;
  host: string | null;
}

export function alertOf(e: EventRow, lanName: string): Alert {
  const label = EVENT_KINDS[e.kind]?.label ?? e.kind;
  return {
    id: e.id,
    at: e.at,
    kind: e.kind,
    severity: e.severity,
    title: `${lanName}: ${label}${e.machineName ? ` — ${e.machineName}` : e.host ? ` — ${e.host}` : ""}`,
    message: e.message,
    machine: e.machineId !== null ? { id: e.machineId, name: e.machineName ?? `PC ${e.machineId}` } : null,
    host: e.host,
  };
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);
const NTFY_PRIORITY: Record<Severity, string> = { info: "3", warn: "4", danger: "5" };
const NTFY_TAGS: Record<Severity, string> = { info: "information_source", warn: "warning", danger: "rotating_light" };
const DISCORD_COLOR: Record<Severity, number> = { info: 0x0284c7, warn: 0xd97706, danger: 0xdc2626 };

/** The HTTP request each kind of target gets: a generic JSON webhook, ntfy (message as body, title/priority as headers), or a Discord webhook. */
export function requestFor(
  kind: AlertTargetKind,
  a: Alert,
  opts: { secret: string | null; link: string | null },
): { headers: Record<string, string>; body: string } {
  const auth: Record<string, string> = opts.secret ? { authorization: `Bearer ${opts.secret}` } : {};
  switch (kind) {
    case "ntfy":
      return {
        // Header values must be plain ISO-8859-1: ntfy reads RFC 2047 for anything else, so keep titles ASCII.
        headers: {
          "content-type": "text/plain; charset=utf-8",
          title: a.title.replace(/[^\x20-\x7e]/g, "-"),
          priority: NTFY_PRIORITY[a.severity],
          tags: NTFY_TAGS[a.severity],
          ...(opts.link ? { click: opts.link } : {}),
          ...auth,
        },
        body: a.message,
      };
    case "discord":
      return {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          username: "Cowherd",
          content: a.severity === "danger" ? `**${a.title}**` : undefined,
          embeds: [
            {
              title: a.title.slice(0, 256),
              description: a.message.slice(0, 4000),
              color: DISCORD_COLOR[a.severity],
              timestamp: new Date(a.at).toISOString(),
              ...(opts.link ? { url: opts.link } : {}),
            },
          ],
          allowed_mentions: { parse: [] },
        }),
      };
    case "webhook":
      return {
        headers: { "content-type": "application/json", ...auth },
        body: JSON.stringify({ source: "cowherd", ...a, at: new Date(a.at).toISOString(), link: opts.link }),
      };
  }
}

export interface DeliveryResult {
  ok: boolean;
  status: number | null;
  error: string | null;
}

const TIMEOUT_MS = 5_000;
const MAX_ATTEMPTS = 3;
/** How much of a target's answer is read: a normal short answer whole, never a huge (or decompressing) body. */
export const ANSWER_READ_MAX = 4096;

export interface DeliverOptions {
  fetchImpl?: typeof fetch;
  /** alerts.refuseLocalTargets: no sending to loopback or link-local addresses. */
  refuseLocal?: boolean;
  lookup?: Lookup;
}

/**
 * One POST with a timeout; no redirects followed (a target answers itself or not at all). Only the
 * status matters: of the answer at most ANSWER_READ_MAX bytes are read and the rest is cancelled, so
 * a huge or gzip-bomb answer costs nothing. `accept-encoding: identity` asks for no compression;
 * fetch would still decode a server that compresses anyway, which the cap bounds.
 */
export async function deliver(url: string, req: { headers: Record<string, string>; body: string }, opts: DeliverOptions = {}): Promise<DeliveryResult> {
  try {
    if (opts.refuseLocal) {
      const refused = await localTargetRefusal(url, opts.lookup);
      if (refused) return { ok: false, status: null, error: refused };
    }
    const res = await (opts.fetchImpl ?? fetch)(url, {
      method: "POST",
      headers: { ...req.headers, "accept-encoding": "identity" },
      body: req.body,
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await drainCapped(res);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, error: null };
    return {
      ok: false,
      status: res.status,
      error: `HTTP ${res.status}${res.status >= 300 && res.status < 400 ? " (redirects are not followed: give the final URL)" : ""}`,
    };
  } catch (e) {
    const name = (e as Error).name;
    return {
      ok: false,
      status: null,
      error: name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000} s` : errorText((e as { cause?: unknown }).cause ?? e),
    };
  }
}

/**
 * Reads an answer's first ANSWER_READ_MAX bytes and cancels the rest unread. A short answer is read to
 * its end (so its connection can be reused); its text is not shown anywhere (a target's status is all
 * Settings reports, which keeps a target URL from reading anything back).
 */
async function drainCapped(res: Response): Promise<number> {
  if (!res.body) return 0;
  const reader = res.body.getReader();
  let n = 0;
  try {
    while (n < ANSWER_READ_MAX) {
      const { done, value } = await reader.read();
      if (done) break;
      n += value.byteLength;
    }
  } catch {
    // a broken answer: its status is what counts
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return n;
}

interface Queued {
  alert: Alert;
  attempts: number;
}

/**
 * Sends events to the enabled targets whose minimum severity they reach. Deduplication happens
 * upstream (a condition is one event until it clears); here each target gets at most
 * `alerts.perMinute` messages a minute: the rest wait and, when more wait than fit, go out as one
 * summary. A failed delivery is tried again on the next pump, up to three times, and the target
 * shows its last error in Settings.
 */
export class Notifier {
  private readonly queues = new Map<number, Queued[]>();
  private readonly sent = new Map<number, number[]>();
  private pumping = false;

  constructor(
    private readonly targets: AlertTargetRepo,
    private readonly opts: { lanName: string; perMinute: number; link: (a: Alert) => string | null; refuseLocal?: boolean },
    private readonly now: () => number = Date.now,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly lookup?: Lookup,
  ) {}

  enqueue(e: EventRow): void {
    const alert = alertOf(e, this.opts.lanName);
    for (const t of this.targets.enabled()) {
      if (rank(e.severity) < rank(t.minSeverity)) continue;
      const q = this.queues.get(t.id) ?? [];
      q.push({ alert, attempts: 0 });
      this.queues.set(t.id, q);
    }
  }

  pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  private allowance(id: number): number {
    const now = this.now();
    const recent = (this.sent.get(id) ?? []).filter((t) => now - t < 60_000);
    this.sent.set(id, recent);
    return Math.max(0, this.opts.perMinute - recent.length);
  }

  private async send(t: AlertTargetWithSecret, a: Alert): Promise<DeliveryResult> {
    this.sent.set(t.id, [...(this.sent.get(t.id) ?? []), this.now()]);
    const r = await deliver(t.url, requestFor(t.kind, a, { secret: t.secret, link: this.opts.link(a) }), {
      fetchImpl: this.fetchImpl,
      refuseLocal: this.opts.refuseLocal,
      lookup: this.lookup,
    });
    if (r.ok) this.targets.sent(t.id, this.now());
    else this.targets.failed(t.id, this.now(), r.error ?? "failed");
    return r;
  }

  /** Sends what the rate limit allows now (the scheduler calls this every second). */
  async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (const [id, q] of this.queues) {
        const t = this.targets.get(id);
        if (!t?.enabled) {
          this.queues.delete(id);
          continue;
        }
        let room = this.allowance(id);
        while (q.length && room > 0) {
          // The last message of the minute sums up everything still waiting beyond it.
          const batch = room === 1 && q.length > 1 ? q.splice(0) : [q.shift()!];
          const alert =
            batch.length === 1
              ? batch[0]!.alert
              : summary(
                  batch.map((b) => b.alert),
                  this.opts.lanName,
                );
          const r = await this.send(t, alert);
          room--;
          if (!r.ok) {
            const again = batch.filter((b) => ++b.attempts < MAX_ATTEMPTS);
            q.unshift(...again);
            break; // try this target again on the next pump
          }
        }
        if (!q.length) this.queues.delete(id);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The Test button: one message now, whatever the rate limit, and how it went. */
  async test(id: number, by: string): Promise<DeliveryResult> {
    const t = this.targets.get(id);
    if (!t) return { ok: false, status: null, error: "no such target" };
    return this.send(t, {
      id: null,
      at: this.now(),
      kind: "test",
      severity: t.minSeverity,
      title: `${this.opts.lanName}: test notification`,
      message: `A test from Cowherd, sent by ${by}. Events of severity ${t.minSeverity} and above reach this target.`,
      machine: null,
      host: null,
    });
  }
}

function summary(alerts: Alert[], lanName: string): Alert {
  const byLabel = new Map<string, number>();
  for (const a of alerts)
    byLabel.set(
      EVENT_KINDS[a.kind as keyof typeof EVENT_KINDS]?.label ?? a.kind,
      (byLabel.get(EVENT_KINDS[a.kind as keyof typeof EVENT_KINDS]?.label ?? a.kind) ?? 0) + 1,
    );
  const worst = alerts.reduce<Severity>((w, a) => (rank(a.severity) > rank(w) ? a.severity : w), "info");
  const pcs = [...new Set(alerts.flatMap((a) => (a.machine ? [a.machine.name] : [])))];
  return {
    id: null,
    at: alerts[alerts.length - 1]!.at,
    kind: "summary",
    severity: worst,
    title: `${lanName}: ${alerts.length} more events`,
    message: `${[...byLabel].map(([l, n]) => `${n} × ${l}`).join(", ")}${pcs.length ? ` (${pcs.slice(0, 12).join(", ")}${pcs.length > 12 ? ` and ${pcs.length - 12} more` : ""})` : ""}. Held back by the rate limit: see the Events page.`,
    machine: null,
    host: null,
  };
}
