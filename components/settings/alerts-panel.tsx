"use client";

import { useState } from "react";
import type { AlertTarget } from "@/lib/db/alert-targets";
import { ALERT_TARGET_KINDS, SEVERITIES, type AlertTargetKind } from "@/lib/constants";
import { requestJson } from "@/lib/client/fetcher";
import { LocalTime } from "@/components/ui/local-time";
import { DataTable, type Column } from "@/components/ui/data-table";
import { button, FormError, input, Panel, subtle } from "./panel";
import { useAction } from "./use-action";

// `name`: a placeholder that fits the kind and names nobody (the name says where the alerts go).
const PRESETS: Record<AlertTargetKind, { label: string; name: string; url: string; secret: string | null; help: string }> = {
  webhook: {
    label: "JSON webhook",
    name: "e.g. Monitoring server",
    url: "https://hooks.example.lan/cowherd",
    secret: "Bearer token (optional)",
    help: "POSTs each event as JSON: kind, severity, title, message, machine, host, at, link.",
  },
  ntfy: {
    label: "ntfy",
    name: "e.g. Staff phones (ntfy)",
    url: "https://ntfy.sh/your-secret-topic",
    secret: "Access token (optional)",
    help: "POSTs the message to the topic URL with its title, priority (danger = 5) and tags.",
  },
  discord: {
    label: "Discord",
    name: "e.g. #lan-staff channel",
    url: "https://discord.com/api/webhooks/…/…",
    secret: null,
    help: "POSTs an embed coloured by severity to a channel's webhook URL (Server settings → Integrations).",
  },
};

/**
 * Where events are sent: a generic JSON webhook, ntfy or a Discord webhook, each from a minimum
 * severity. One notification per PC per condition until it clears, at most alerts.perMinute a minute
 * per target (the rest in one summary). Test sends one now and shows how it went.
 */
export function AlertsPanel({ targets, now, perMinute }: { targets: AlertTarget[]; now: number; perMinute: number }) {
  const { run, error, busy } = useAction();
  const [kind, setKind] = useState<AlertTargetKind>("ntfy");
  const [tested, setTested] = useState<Record<number, { ok: boolean; text: string }>>({});
  const preset = PRESETS[kind];
  const columns: Column<AlertTarget>[] = [
    { label: "Name", className: "font-medium", cell: (t) => t.name },
    {
      label: "Sends",
      className: "max-w-72",
      cell: (t) => (
        <>
          {PRESETS[t.kind].label}
          <span className="block truncate font-mono text-xs text-slate-500" title={t.url}>
            {t.url}
          </span>
          {t.hasSecret && <span className="text-xs text-slate-500">with a token</span>}
        </>
      ),
    },
    { label: "From", cell: (t) => `${t.minSeverity} and above` },
    {
      label: "Last sent",
      cell: (t) => (
        <>
          {t.lastSentAt ? <LocalTime at={t.lastSentAt} now={now} relative /> : "never"}
          {t.lastError && (
            <span className="block text-xs font-medium text-red-700">
              failed <LocalTime at={t.lastErrorAt} now={now} relative />: {t.lastError}
            </span>
          )}
          {tested[t.id] && (
            <span role="status" className={`block text-xs font-medium ${tested[t.id]!.ok ? "text-emerald-700" : "text-red-700"}`}>
              {tested[t.id]!.text}
            </span>
          )}
        </>
      ),
    },
    { label: "State", cell: (t) => (t.enabled ? "on" : "off") },
    {
      label: "Actions",
      header: "",
      className: "text-right whitespace-nowrap",
      cell: (t) => (
        <span className="inline-flex flex-wrap justify-end gap-1.5">
          <button
            type="button"
            className={subtle}
            disabled={busy}
            aria-label={`Send a test to ${t.name}`}
            onClick={async () => {
              const r = await run(() =>
                requestJson<{ result: { ok: boolean; status: number | null; error: string | null } }>("POST", `/api/alerts/${t.id}/test`),
              );
              if (r)
                setTested((p) => ({
                  ...p,
                  [t.id]: { ok: r.result.ok, text: r.result.ok ? `Test sent (HTTP ${r.result.status})` : `Test failed: ${r.result.error}` },
                }));
            }}
          >
            Test
          </button>
          <button
            type="button"
            className={subtle}
            disabled={busy}
            aria-label={`${t.enabled ? "Turn off" : "Turn on"} ${t.name}`}
            onClick={() => run(() => requestJson("PATCH", `/api/alerts/${t.id}`, { enabled: !t.enabled }))}
          >
            {t.enabled ? "Turn off" : "Turn on"}
          </button>
          <button
            type="button"
            className={subtle}
            disabled={busy}
            aria-label={`Delete ${t.name}`}
            onClick={() => run(() => requestJson("DELETE", `/api/alerts/${t.id}`))}
          >
            Delete
          </button>
        </span>
      ),
    },
  ];
  return (
    <Panel
      title="Notifications"
      description={`Events reach these targets once per PC per condition until it clears, at most ${perMinute} a minute each (more are summed up in one message).`}
    >
      <DataTable
        id="alerts"
        frame="bare"
        className="mb-4"
        label="Notification targets"
        columns={columns}
        rows={targets}
        rowKey={(t) => t.id}
        row={(t) => ({ className: t.enabled ? undefined : "text-slate-400" })}
        empty="No notification targets yet: events show on the Events page only."
      />
      <form
        aria-label="Add a notification target"
        className="grid gap-2 sm:grid-cols-2 lg:grid-cols-[10rem_1fr_2fr_1fr_9rem_auto] lg:items-end"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          const secret = String(f.get("secret") ?? "").trim();
          const r = await run(() =>
            requestJson("POST", "/api/alerts", {
              kind,
              name: f.get("name"),
              url: f.get("url"),
              minSeverity: f.get("minSeverity"),
              ...(secret ? { secret } : {}),
            }),
          );
          if (r) form.reset();
        }}
      >
        <label className="text-sm font-medium">
          Kind
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as AlertTargetKind)} className={input}>
            {ALERT_TARGET_KINDS.map((k) => (
              <option key={k} value={k}>
                {PRESETS[k].label}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium">
          Name
          <input name="name" required placeholder={preset.name} className={input} />
        </label>
        <label className="text-sm font-medium">
          URL
          <input name="url" type="url" required placeholder={preset.url} className={input} />
        </label>
        {preset.secret ? (
          <label className="text-sm font-medium">
            {preset.secret}
            <input name="secret" type="password" autoComplete="off" className={input} />
          </label>
        ) : (
          <span className="max-lg:hidden" />
        )}
        <label className="text-sm font-medium">
          From severity
          <select name="minSeverity" defaultValue="warn" className={input}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy} className={button}>
          Add target
        </button>
        <p className="text-xs text-slate-500 sm:col-span-2 lg:col-span-6">{preset.help} The token is stored on the server and never shown again.</p>
      </form>
      <FormError error={error} />
    </Panel>
  );
}
